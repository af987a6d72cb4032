package dev.charlm.app;

/**
 * The reader of standard output has gone (a pipe closed by {@code head}, say): the command stops
 * its work and exits quietly with 141, the status of a Unix tool ended by SIGPIPE (the JVM
 * ignores that signal, so a write only sets an error flag; the commands check it).
 */
final class OutputClosed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final int EXIT_STATUS = 128 + 13;

    OutputClosed() {
        super("standard output was closed", null, false, false);
    }

    /** Flushes {@code out} (PrintStream.checkError does) and throws if it can no longer be written. */
    static void check(java.io.PrintStream out) {
        if (out.checkError()) {
            throw new OutputClosed();
        }
    }
}
