package dev.charlm.trainer;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.checkpoint.CheckpointException;
import dev.charlm.trainer.data.DefaultData;
import dev.charlm.trainer.data.Sampling;
import dev.charlm.trainer.model.CellType;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.train.EpochMetrics;
import dev.charlm.trainer.train.OptimizerKind;
import dev.charlm.trainer.train.TrainingSettings;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code charlm train}: the command line of the trainer. */
@Command(name = "charlm train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a deep recurrent character language model (d2l's deep RNN) with DJL.",
        footer = {"", "Exit status: 0 done, 2 bad input, 1 internal error."})
public final class TrainCommand implements Callable<Integer> {

    /** Exit status of a user mistake. */
    static final int EXIT_USAGE = 2;

    @Option(names = "--data", paramLabel = "FILE|DIR",
            description = "Text to train on; repeatable; a directory means its .txt files."
                    + " Default: The Time Machine (d2l's copy, checked against its SHA-1).")
    List<Path> data = new ArrayList<>();

    @Option(names = "--text", paramLabel = "MODE", defaultValue = "d2l",
            description = "Preprocessing: d2l (lowercase letters and spaces, 28 tokens) or raw (every character). Default: ${DEFAULT-VALUE}.")
    String text;

    @Option(names = "--holdout", paramLabel = "FRACTION", defaultValue = "0.1",
            description = "Held-out tail of each file, never trained on. Default: ${DEFAULT-VALUE}.")
    double holdout;

    @Option(names = "--sampling", defaultValue = "sequential", description = "random or sequential. Default: ${DEFAULT-VALUE}.")
    String sampling;

    @Option(names = "--cell", defaultValue = "lstm", description = "lstm, gru or rnn. Default: ${DEFAULT-VALUE}.")
    String cell;

    @Option(names = "--impl", defaultValue = "builtin",
            description = "builtin (DJL's fused blocks) or scratch (the chapter's equations). Default: ${DEFAULT-VALUE}.")
    String impl;

    @Option(names = "--layers", paramLabel = "L", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
    int layers;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.3",
            description = "Dropout on each recurrent layer's output (between layers and before the output layer). Default: ${DEFAULT-VALUE}.")
    float dropout;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd or adam. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", defaultValue = "2", description = "Learning rate. Default: ${DEFAULT-VALUE} (the chapter's, for SGD).")
    float lr;

    @Option(names = "--clip", paramLabel = "THETA", defaultValue = "1",
            description = "Global gradient-norm clipping threshold. Default: ${DEFAULT-VALUE}.")
    float clip;

    @Option(names = "--epochs", defaultValue = "50", description = "Total epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--num-steps", defaultValue = "35", description = "Characters per window. Default: ${DEFAULT-VALUE}.")
    int numSteps;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Checkpoint directory. Default: runs/CELL (with --resume: the resumed directory).")
    Path outDir;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue a checkpoint up to --epochs, with its model, data and settings.")
    Path resume;

    @Option(names = "--compare", paramLabel = "CELLS", split = ",",
            description = "Train each cell (e.g. lstm,gru,rnn) with the same budget and data; print one table.")
    List<String> compare;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    TrainCommand(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status instead of exiting. */
    public static int execute(String[] args, PrintStream stdout, PrintStream stderr) {
        CommandLine cl = new CommandLine(new TrainCommand(stdout, stderr, System.console() != null));
        cl.setOut(new PrintWriter(stdout, true));
        cl.setErr(new PrintWriter(stderr, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            stderr.println("charlm train: error: " + ex.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof InvalidTextException || ex instanceof CheckpointException
                    || ex instanceof IllegalArgumentException) {
                stderr.println("charlm train: error: " + ex.getMessage());
                return EXIT_USAGE;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        TrainingRun run = new TrainingRun(err, new ConsoleProgress(err, terminal, epochs));
        if (resume != null) {
            for (String option : List.of("--data", "--text", "--holdout", "--sampling", "--cell", "--impl",
                    "--layers", "--hidden", "--dropout", "--optimizer", "--lr", "--clip", "--batch-size",
                    "--num-steps", "--seed", "--compare")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new IllegalArgumentException("--resume takes the model, data and settings from "
                            + resume + "; drop " + option);
                }
            }
            TrainingResult result = run.resume(resume, epochs, outDir != null ? outDir : resume);
            report(List.of(result));
            return 0;
        }
        List<Path> paths = data.isEmpty() ? List.of(DefaultData.fromSystemProperties().timeMachine()) : data;
        TrainingRequest request = new TrainingRequest(paths, Preprocessing.fromId(text), holdout,
                CellType.fromId(cell), Implementation.fromId(impl), layers, hidden, dropout,
                new TrainingSettings(Sampling.fromId(sampling), OptimizerKind.fromId(optimizer), lr, clip,
                        epochs, batchSize, numSteps, seed),
                outDir != null ? outDir : Path.of("runs", cell));
        if (compare == null) {
            report(List.of(run.train(request)));
            return 0;
        }
        List<TrainingResult> results = new ArrayList<>();
        Path base = outDir != null ? outDir : Path.of("runs", "compare");
        List<CellType> cells = new ArrayList<>();
        for (String c : compare) {
            cells.add(CellType.fromId(c.trim()));
        }
        for (CellType c : cells) {
            err.println("charlm train: --compare: training " + c.id());
            results.add(run.train(request.withCell(c, base.resolve(c.id()))));
        }
        report(results);
        return 0;
    }

    private void report(List<TrainingResult> results) {
        PrintStream stdout = out;
        if (results.size() == 1) {
            TrainingResult r = results.get(0);
            EpochMetrics last = r.last();
            stdout.printf(Locale.ROOT, "validation perplexity %.3f (%.3f bits/char) after %d epochs%n",
                    last.validationPerplexity(), last.validationBitsPerChar(), last.epoch());
            last.validationPerplexityByFile().forEach((file, ppl) -> {
                if (last.validationPerplexityByFile().size() > 1) {
                    stdout.printf(Locale.ROOT, "  %s: %.3f%n", file, ppl);
                }
            });
            stdout.printf(Locale.ROOT, "training throughput %.0f tokens/s (median of epochs), overhead %.1f%% of step time%n",
                    r.medianTokensPerSecond(), last.timing().overheadFraction() * 100);
            stdout.println("sample: " + r.sample());
            stdout.println("checkpoint: " + r.checkpoint() + " (config.json, weights.bin, metrics.json, perplexity.png/svg)");
            return;
        }
        stdout.printf("%-6s %10s %10s %10s %14s %10s%n", "cell", "params", "val ppl", "val bpc", "train tok/s", "wall s");
        for (TrainingResult r : results) {
            double wall = r.epochs().stream().mapToDouble(EpochMetrics::wallSeconds).sum();
            stdout.printf(Locale.ROOT, "%-6s %10d %10.3f %10.3f %14.0f %10.1f%n",
                    r.checkpoint().getFileName(), r.parameterCount(), r.last().validationPerplexity(),
                    r.last().validationBitsPerChar(), r.medianTokensPerSecond(), wall);
        }
    }
}
