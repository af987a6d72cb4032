package dev.charlm.cli;

import dev.charlm.contract.UserMistake;

/** A mistake in a command's input, phrased in the command's own terms: one line, exit status 2. */
public final class UsageError extends Exception implements UserMistake {
    private static final long serialVersionUID = 1L;

    public UsageError(String message) {
        super(message);
    }
}
