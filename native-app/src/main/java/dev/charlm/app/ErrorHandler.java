package dev.charlm.app;

import dev.charlm.cli.Cli;
import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/** The app's command line, built by Quarkus, ending the way every charlm command ends ({@link Cli}). */
@ApplicationScoped
public class ErrorHandler {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return Cli.apply(factory.create(), System.out, System.err);
    }
}
