package dev.charlm.contract;

import java.io.IOException;
import java.nio.file.Path;

/** A text input that cannot be used: missing, empty, binary or not UTF-8. Names the input. */
public class InvalidTextException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;

    public InvalidTextException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    public InvalidTextException(Path source, String problem) {
        this(source.toString(), problem);
    }

    /** The file or stream name the problem is about. */
    public String source() {
        return source;
    }
}
