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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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

    /**
     * Expands a path: a regular file is itself; a directory means its {@code .txt} files, sorted
     * by name.
     */
    public static List<Path> expand(Path path) throws InvalidTextException {
        if (!Files.exists(path)) {
            throw new InvalidTextException(path, "no such file or directory");
        }
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(path)) {
            s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".txt"))
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new InvalidTextException(path, "cannot list directory: " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new InvalidTextException(path, "directory holds no .txt files");
        }
        return files;
    }

    /** Reads a file's bytes; a missing file or a directory is an {@link InvalidTextException}. */
    public static byte[] readBytes(Path file) throws InvalidTextException {
        if (Files.isDirectory(file)) {
            throw new InvalidTextException(file, "is a directory, expected a text file");
        }
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
