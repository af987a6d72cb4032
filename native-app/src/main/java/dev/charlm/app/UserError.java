package dev.charlm.app;

/** A mistake in the command's input; reported as one line, exit status 2. */
public class UserError extends Exception {
    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }
}
