package dev.charlm.trainer.checkpoint;

/** A checkpoint directory that cannot be read or written; the message names it and the problem. */
public final class CheckpointException extends Exception implements dev.charlm.contract.UserMistake {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
