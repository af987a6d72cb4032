package dev.charlm.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads text inputs strictly: a file must exist, be non-empty, hold no NUL byte (binary) and be
 * valid UTF-8. Every refusal is an {@link InvalidTextException} naming the file and the problem.
 */
public final class TextFiles {

    private TextFiles() {}

    /** Reads a whole file as strict UTF-8. */
    public static String readUtf8(Path file) throws InvalidTextException {
        byte[] bytes = readBytes(file);
        return decode(file.toString(), bytes);
    }

    /** Checks and decodes bytes that came from {@code source} ({@link StrictUtf8Decoder}). */
    public static String decode(String source, byte[] bytes) throws InvalidTextException {
        if (bytes.length == 0) {
            throw new InvalidTextException(source, "file is empty");
        }
        StringBuilder text = new StringBuilder(bytes.length);
        new StrictUtf8Decoder(source, 0).decode(bytes, 0, bytes.length, true, text);
        return text.toString();
    }

    /** The files a path stands for ({@link InputPaths#expand(Path)}). */
    public static List<Path> expand(Path path) throws InvalidTextException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidTextException(path, "no such file or directory");
        }
        return InputPaths.expand(path);
    }

    /**
     * Refuses, without opening it, what cannot be read as a text file: a missing path, a
     * directory, and a pipe or device (opening a pipe would wait for a writer forever).
     */
    public static void checkReadable(Path file) throws InvalidTextException {
        if (Files.isDirectory(file)) {
            throw new InvalidTextException(file, "is a directory, expected a text file");
        }
        if (!Files.exists(file)) {
            throw new InvalidTextException(file, Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? "no such file (" + brokenLink(file) + ")" : "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidTextException(file, "is not a regular file (a pipe, socket or device), expected a text file");
        }
    }

    /** What is wrong with a symbolic link that leads nowhere: a loop, or a missing target. */
    private static String brokenLink(Path link) {
        try {
            link.toRealPath();
            return "a link to nothing";
        } catch (java.nio.file.FileSystemException e) {
            String reason = e.getReason();
            return reason != null && reason.contains("levels of symbolic links") ? "a symbolic link loop"
                    : "a link to nothing";
        } catch (IOException e) {
            return "a link to nothing";
        }
    }

    /** Reads a file's bytes; a missing file or a directory is an {@link InvalidTextException}. */
    public static byte[] readBytes(Path file) throws InvalidTextException {
        checkReadable(file);
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidTextException(file, "no such file");
        } catch (IOException e) {
            throw new InvalidTextException(file, "cannot be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }
}
