package dev.charlm.cli;

/**
 * The reader of standard output has gone (a pipe closed by {@code head}, say): the command stops
 * its work and exits quietly with {@link Cli#OUTPUT_CLOSED}, the status of a Unix tool ended by
 * SIGPIPE (the JVM ignores that signal, so a write only sets an error flag; the commands check it).
 */
public final class OutputClosed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OutputClosed() {
        super("standard output was closed", null, false, false);
    }

    /** Flushes {@code out} (PrintStream.checkError does) and throws if it can no longer be written. */
    public static void check(java.io.PrintStream out) {
        if (out.checkError()) {
            throw new OutputClosed();
        }
    }
}
