package dev.charlm.app;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/** One-line errors for user mistakes, never a stack trace. */
@ApplicationScoped
public class ErrorHandler {

    static final int EXIT_USAGE = 2;

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        CommandLine cl = factory.create();
        cl.setParameterExceptionHandler((ex, args) -> {
            cl.getErr().println("charlm: error: " + ex.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof UserError || ex instanceof IllegalArgumentException) {
                c.getErr().println("charlm " + c.getCommandName() + ": error: " + ex.getMessage());
                return EXIT_USAGE;
            }
            throw ex;
        });
        return cl;
    }
}
