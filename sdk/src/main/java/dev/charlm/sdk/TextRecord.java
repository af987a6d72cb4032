package dev.charlm.sdk;

import dev.charlm.contract.InvalidTextException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One document to score among many: its text (UTF-8), where it came from (a file and line, or a
 * dataset's name and row), and the caller's id for it. A record the reader could not make into
 * text (a line that is not JSON, a missing field) is still a record: it carries the reason, and
 * {@link PerplexityScorer#scoreRecords} hands it back in its place with that failure.
 */
public final class TextRecord {

    private final String source;
    private final long line;
    private final Object id;
    private final byte[] text;
    private final String problem;

    private TextRecord(String source, long line, Object id, byte[] text, String problem) {
        if (source == null) {
            throw new IllegalArgumentException("a record's source is null");
        }
        this.source = source;
        this.line = line;
        this.id = id;
        this.text = text;
        this.problem = problem;
    }

    /**
     * A record of text.
     *
     * @param source the file or dataset it is from
     * @param line its line (1-based), or 0 when it has none
     * @param id the caller's id (a JSON value: a String, Long, Double or Boolean), or null
     */
    public static TextRecord of(String source, long line, Object id, String text) {
        return of(source, line, id, text == null ? null : text.getBytes(StandardCharsets.UTF_8));
    }

    /** A record of UTF-8 bytes (checked when scored: a record that is not UTF-8 fails then). */
    public static TextRecord of(String source, long line, Object id, byte[] utf8) {
        if (utf8 == null) {
            return invalid(source, line, id, "has no text (null)");
        }
        if (utf8.length == 0) {
            return invalid(source, line, id, "is empty");
        }
        return new TextRecord(source, line, id, utf8, null);
    }

    /** A record that cannot be scored, for the {@code problem} given. */
    public static TextRecord invalid(String source, long line, Object id, String problem) {
        return new TextRecord(source, line, id, null, problem);
    }

    public String source() {
        return source;
    }

    /** Its line (1-based), or 0 when it has none. */
    public long line() {
        return line;
    }

    /** The caller's id, a JSON value, if one was given. */
    public Optional<Object> id() {
        return Optional.ofNullable(id);
    }

    /** How messages name it: {@code source:line}, or the source alone. */
    public String name() {
        return line > 0 ? source + ":" + line : source;
    }

    /** Why it cannot be scored, when it cannot. */
    public Optional<InvalidTextException> failure() {
        return problem == null ? Optional.empty() : Optional.of(new InvalidTextException(name(), problem));
    }

    /** Its text (decoded leniently: a record that is not UTF-8 fails when scored), unless it is invalid. */
    public Optional<String> text() {
        return text == null ? Optional.empty() : Optional.of(new String(text, StandardCharsets.UTF_8));
    }

    /** Its text's bytes, for the scorer; null for an invalid record. */
    byte[] utf8() {
        return text;
    }
}
