package dev.charlm.app;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/**
 * Exit statuses: a user's mistake is one line and 2; anything else is not the user's fault,
 * so it is reported as an internal error with its trace, and 1.
 */
@ApplicationScoped
public class ErrorHandler {

    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILURE = 1;

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        CommandLine cl = factory.create();
        cl.setParameterExceptionHandler((ex, args) -> {
            cl.getErr().println("charlm: error: " + ex.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof OutputClosed) {
                return OutputClosed.EXIT_STATUS; // nobody reads what we would say
            }
            if (ex instanceof UserError) {
                c.getErr().println("charlm " + c.getCommandName() + ": error: " + ex.getMessage());
                return EXIT_USAGE;
            }
            c.getErr().println("charlm " + c.getCommandName() + ": internal error: " + ex);
            ex.printStackTrace(c.getErr());
            return EXIT_FAILURE;
        });
        return cl;
    }
}
