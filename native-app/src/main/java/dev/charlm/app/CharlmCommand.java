package dev.charlm.app;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/** {@code charlm}: the application's top command. */
@TopCommand
@Command(name = "charlm", mixinStandardHelpOptions = true,
        subcommands = {GenerateCommand.class, ScoreCommand.class, ServeCommand.class},
        description = "Generate text with a charlm model and score the perplexity of files.")
public class CharlmCommand {}
