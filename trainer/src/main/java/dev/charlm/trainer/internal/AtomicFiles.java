package dev.charlm.trainer.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files written whole or not at all: to a temporary sibling first, then renamed into place. */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** Writes {@code bytes} to {@code target}, replacing it; a failure leaves no partial file. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            makeReadable(tmp);
            move(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
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
