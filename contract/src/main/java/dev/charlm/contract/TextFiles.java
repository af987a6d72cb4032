package dev.charlm.contract;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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

    /** Checks and decodes bytes that came from {@code source}. */
    public static String decode(String source, byte[] bytes) throws InvalidTextException {
        if (bytes.length == 0) {
            throw new InvalidTextException(source, "file is empty");
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new InvalidTextException(
                        source, "looks binary (NUL byte at offset " + i + "), expected UTF-8 text");
            }
        }
        CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            throw new InvalidTextException(
                    source, "is not valid UTF-8 (bad byte sequence at offset " + in.position() + ")");
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1); // a byte-order mark is not text
        }
        return text;
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
                    ? "is a link to nothing (no such file)" : "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidTextException(file, "is not a regular file (a pipe, socket or device), expected a text file");
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
