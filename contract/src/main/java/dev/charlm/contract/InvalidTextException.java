package dev.charlm.contract;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A text input that cannot be used: missing, empty, binary or not UTF-8. Names the input, and
 * the byte offset of the problem when there is one.
 */
public class InvalidTextException extends IOException implements UserMistake {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String problem;
    private final long offset;

    public InvalidTextException(String source, String problem) {
        this(source, problem, -1);
    }

    /** A problem at byte {@code offset} of the input. */
    public InvalidTextException(String source, String problem, long offset) {
        super(source + ": " + problem);
        this.source = source;
        this.problem = problem;
        this.offset = offset;
    }

    public InvalidTextException(Path source, String problem) {
        this(source.toString(), problem);
    }

    /** The file or stream name the problem is about. */
    public String source() {
        return source;
    }

    /** What is wrong, without the name. */
    public String problem() {
        return problem;
    }

    /** The byte offset of the problem, or -1 when it is not at one place (missing, empty). */
    public long offset() {
        return offset;
    }
}
