package dev.charlm.contract;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files written whole or not at all: to a hidden temporary sibling first, flushed to the device,
 * then renamed into place. A reader sees the old file or the new one, never a part; a failure
 * leaves no temporary file behind. The one way charlm writes its outputs (checkpoints, models,
 * downloads, cached libraries).
 */
public final class AtomicFiles {

    /** What goes into a file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /** Writes {@code bytes} to {@code target}, replacing it. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Writes what {@code content} produces to {@code target}, replacing it. */
    public static void write(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(ch)) {
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            makeReadable(tmp);
            move(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Checks, before any work, that {@code target} may be written: a new path in a writable
     * directory, or an existing regular file (not a directory, device, pipe or link, which
     * renaming over would destroy).
     *
     * @throws IOException whose message says what is wrong, for the caller to put after the path
     */
    public static void checkTarget(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IOException("is a directory; name the file to write");
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(Files.isSymbolicLink(abs) ? "is a symbolic link; name a regular file or a new path"
                    : "exists and is not a regular file (a device, pipe or socket); name a regular file or a new path");
        }
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IOException("cannot write there (no directory " + parent + ")");
        }
        try {
            Files.delete(Files.createTempFile(parent, "." + abs.getFileName(), ".probe"));
        } catch (IOException e) {
            throw new IOException("cannot write there (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
    }

    /** Renames, atomically where the file system can, replacing a file at {@code to}. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Gives a temp file or directory the permissions of an ordinary one (rw-r--r--, rwxr-xr-x):
     * {@code createTemp*} makes them private, and they are renamed into place as they are.
     */
    public static void makeReadable(Path path) throws IOException {
        if (Files.getFileStore(path).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                    Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
        }
    }
}
