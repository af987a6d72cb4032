package dev.charlm.sdk;

import dev.charlm.contract.Json;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The one rule for turning a line of a records file into a {@link TextRecord}, used by every
 * front end (the command line reads the lines itself, Spark's text source hands them over): a
 * line of {@link RecordFormat#LINES} is the text; a line of {@link RecordFormat#JSONL} is a JSON
 * object whose {@code field} is the text (a string) and whose {@code idField}, if asked for, is
 * the id. A line that breaks the rule becomes an invalid record saying how. Blank lines are not
 * records; a byte-order mark before the first line is not text.
 */
public final class RecordParser implements Serializable {

    private static final long serialVersionUID = 1L;

    private final RecordFormat format;
    private final String field;
    private final String idField;

    /**
     * @param field the text's field in a JSON line (ignored for lines)
     * @param idField the id's field in a JSON line, or null
     */
    public RecordParser(RecordFormat format, String field, String idField) {
        if (format == RecordFormat.LINES && idField != null) {
            throw new IllegalArgumentException("an id field needs JSON lines (--records jsonl)");
        }
        this.format = format;
        this.field = field == null ? "text" : field;
        this.idField = idField;
    }

    public RecordFormat format() {
        return format;
    }

    /** Whether a line (without its line break) is blank: no record. */
    public static boolean blank(String line) {
        return line.isEmpty();
    }

    /**
     * The record of a line given as bytes (a line break and a carriage return before it already
     * removed); for {@link RecordFormat#LINES} the bytes are kept as they are, to be checked as
     * UTF-8 when scored.
     */
    public TextRecord parse(String source, long line, byte[] bytes) {
        int from = line == 1 && bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB
                && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
        if (format == RecordFormat.LINES) {
            return TextRecord.of(source, line, null, from == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, from, bytes.length));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, bytes.length - from))
                    .toString();
        } catch (CharacterCodingException e) {
            return TextRecord.invalid(source, line, null, "is not UTF-8");
        }
        return json(source, line, text);
    }

    /** The record of a line already decoded (Spark's text source). */
    public TextRecord parse(String source, long line, String text) {
        String s = line == 1 && text.startsWith("\uFEFF") ? text.substring(1) : text;
        return format == RecordFormat.LINES ? TextRecord.of(source, line, null, s) : json(source, line, s);
    }

    private TextRecord json(String source, long line, String text) {
        Object value;
        try {
            value = Json.parse(text, "JSON");
        } catch (IllegalArgumentException e) {
            // "invalid JSON at offset 3: ..." said as "is not JSON (at offset 3: ...)"
            return TextRecord.invalid(source, line, null, "is not JSON (" + e.getMessage().replaceFirst("^invalid JSON ", "")
                    + ")");
        }
        if (!(value instanceof Map<?, ?> object)) {
            return TextRecord.invalid(source, line, null, "is not a JSON object");
        }
        Object id = idField == null ? null : object.get(idField);
        if (id instanceof Map || id instanceof java.util.List) {
            return TextRecord.invalid(source, line, null, "has an id field '" + idField + "' that is not a string or number");
        }
        if (!object.containsKey(field)) {
            return TextRecord.invalid(source, line, id, "has no field '" + field + "'");
        }
        Object t = object.get(field);
        if (!(t instanceof String s)) {
            return TextRecord.invalid(source, line, id, "has a field '" + field + "' that is "
                    + (t == null ? "null" : t instanceof Map ? "an object" : t instanceof java.util.List ? "an array"
                            : t instanceof Boolean ? "a boolean" : "a number") + ", not a string");
        }
        return TextRecord.of(source, line, id, s);
    }
}
