package dev.charlm.sdk;

/** How a file holds its records: one text per line, or one JSON object per line. */
public enum RecordFormat {
    /** Each line is a text (a sentence, a paragraph, a document with its newlines escaped). */
    LINES("lines"),
    /** Each line is a JSON object whose text is a string field ({@code text} unless told). */
    JSONL("jsonl");

    private final String id;

    RecordFormat(String id) {
        this.id = id;
    }

    /** The name on the command line: {@code lines} or {@code jsonl}. */
    public String id() {
        return id;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static RecordFormat fromId(String id) {
        for (RecordFormat f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown record format '" + id + "' (expected lines or jsonl)");
    }
}
