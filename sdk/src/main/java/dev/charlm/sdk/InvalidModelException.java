package dev.charlm.sdk;

/**
 * A file that is not a charlm model: not ONNX, missing charlm's metadata, or with other inputs
 * or outputs than the contract names. The message names the model and the problem.
 */
public final class InvalidModelException extends Exception implements dev.charlm.contract.UserMistake {
    private static final long serialVersionUID = 1L;

    private final String source;

    InvalidModelException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    InvalidModelException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file or stream the model came from. */
    public String source() {
        return source;
    }
}
