package dev.charlm.trainer;

/** A mistake in a command's arguments, phrased in the command's own terms; exit status 2. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
