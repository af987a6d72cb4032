package dev.charlm.trainer;

import dev.charlm.cli.Cli;
import dev.charlm.cli.UsageError;
import dev.charlm.contract.Cell;
import dev.charlm.contract.InputPaths;
import dev.charlm.contract.InvalidFieldException;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.DefaultData;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.trainer.data.TextStore;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.train.EpochMetrics;
import dev.charlm.trainer.train.TrainingSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code charlm train}: the command line of the trainer. */
@Command(name = "charlm train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a deep recurrent character language model (d2l's deep RNN) with DJL.")
public final class TrainCommand implements Callable<Integer> {

    /** What --resume may be given with: everything else comes from the checkpoint. */
    private static final Set<String> WITH_RESUME = Set.of("--resume", "--epochs", "--out", "--help", "--version");

    @Option(names = "--data", paramLabel = "FILE|DIR|GLOB|library|more",
            description = "Text to train on; repeatable; a directory means its .txt files (recursively); 'library'"
                    + " means the twelve novels of the manifest, 'more' its 21 further novels. Default: The Time"
                    + " Machine (d2l's copy, checked against its SHA-1).")
    List<String> data = new ArrayList<>();

    @Option(names = "--eval-data", paramLabel = "FILE|DIR|GLOB|library|more",
            description = "Texts whose held-out tails are scored but never trained on; repeatable.")
    List<String> evalData = new ArrayList<>();

    @Option(names = "--strip-front-matter",
            description = "Remove Project Gutenberg front matter and illustration captions (always done for 'library' and 'more').")
    boolean stripFrontMatter;

    @Option(names = "--train-chars", paramLabel = "N",
            description = "Train on at most N characters: the same leading share of every file's training part.")
    long trainChars;

    @Option(names = "--text", paramLabel = "MODE", defaultValue = "d2l", converter = IdConverters.Preprocessings.class,
            description = "Preprocessing: d2l (lowercase letters and spaces, 28 tokens) or raw (every character). Default: ${DEFAULT-VALUE}.")
    Preprocessing text;

    @Option(names = "--holdout", paramLabel = "FRACTION", defaultValue = "0.1",
            description = "Held-out tail of each file, never trained on. Default: ${DEFAULT-VALUE}.")
    double holdout;

    @Option(names = {"--partitioning", "--sampling"}, paramLabel = "MODE", defaultValue = "sequential",
            converter = IdConverters.Partitionings.class,
            description = "Minibatches by random sampling or sequential partitioning (d2l 9.3): random or sequential. Default: ${DEFAULT-VALUE}.")
    Partitioning partitioning;

    @Option(names = "--cell", defaultValue = "lstm", converter = IdConverters.Cells.class,
            description = "lstm, gru or rnn. Default: ${DEFAULT-VALUE}.")
    Cell cell;

    @Option(names = "--impl", defaultValue = "builtin", converter = IdConverters.Implementations.class,
            description = "builtin (DJL's fused blocks) or scratch (the chapter's equations). Default: ${DEFAULT-VALUE}.")
    Implementation impl;

    @Mixin
    ShapeMixin shape;

    @Mixin
    RecipeMixin recipe;

    @Option(names = "--epochs", defaultValue = "15", description = "Total epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--max-minutes", paramLabel = "M", defaultValue = "0",
            description = "Stop after the epoch that passes M minutes of training; 0: no limit. Default: ${DEFAULT-VALUE}.")
    double maxMinutes;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0",
            description = "Also score the held-out text and write a checkpoint every N updates inside an epoch"
                    + " (a long run's curve, and where --resume continues); 0: at epoch ends only. Default: ${DEFAULT-VALUE}.")
    int checkpointEvery;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Checkpoint directory. Default: runs/CELL (with --resume: the resumed directory).")
    Path outDir;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue a checkpoint up to --epochs, with its model, data and settings.")
    Path resume;

    @Option(names = "--compare", paramLabel = "CELLS", split = ",", converter = IdConverters.Cells.class,
            description = "Train each cell (e.g. lstm,gru,rnn) with the same budget and data; print one table.")
    List<Cell> compare;

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
        return Cli.execute(new TrainCommand(stdout, stderr, System.console() != null), args, stdout, stderr);
    }

    @Override
    public Integer call() throws Exception {
        if (epochs < 1) {
            throw new InvalidFieldException("epochs", "must be positive, got " + epochs);
        }
        ConsoleProgress progress = new ConsoleProgress(err, terminal, epochs);
        TrainingRun run = new TrainingRun(err, progress);
        if (resume != null) {
            // Found from what was given, so an option added later cannot slip past.
            for (CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
                if (!WITH_RESUME.contains(o.longestName())) {
                    throw new UsageError("--resume takes the model, data and settings from " + resume + "; drop "
                            + o.longestName());
                }
            }
            TrainingOutcome result = run.resume(resume, epochs, outDir != null ? outDir : resume);
            report(List.of(result));
            return Cli.DONE;
        }
        TrainingRequest request = request();
        if (compare == null) {
            report(List.of(run.train(request)));
            return Cli.DONE;
        }
        List<TrainingOutcome> results = new ArrayList<>();
        Path base = outDir != null ? outDir : Path.of("runs", "compare");
        for (Cell c : compare) {
            err.println("charlm train: --compare: training " + c.id());
            results.add(run.train(request.withCell(c, base.resolve(c.id()))));
        }
        report(results);
        return Cli.DONE;
    }

    /** The request the options describe; the value types check their own values. */
    private TrainingRequest request() throws InvalidTextException {
        if (trainChars < 0) {
            throw new InvalidFieldException("train_chars", "must be >= 0, got " + trainChars);
        }
        TrainingSettings settings = recipe.settings(partitioning, epochs, maxMinutes, checkpointEvery);
        boolean manifest = java.util.stream.Stream.concat(data.stream(), evalData.stream())
                .anyMatch(a -> Library.named(a).isPresent());
        List<Path> training = data.isEmpty() ? List.of(DefaultData.fromSystemProperties().timeMachine()) : paths(data);
        CorpusSpec corpus = new CorpusSpec(training, paths(evalData), stripFrontMatter || manifest, trainChars);
        return new TrainingRequest(corpus, text, holdout, cell, impl, shape.layers, shape.hidden, shape.dropout,
                settings, outDir != null ? outDir : Path.of("runs", cell.id()));
    }

    /** Path arguments as files: 'library' or 'more' (unless a file of that name exists), else InputPaths' rules. */
    public static List<Path> paths(List<String> args) throws InvalidTextException {
        List<Path> files = new ArrayList<>();
        for (String a : args) {
            if (Library.named(a).isPresent() && !Files.exists(Path.of(a))) {
                files.addAll(Library.resolve(TextStore.fromSystemProperties(), Library.named(a).get()));
            } else if (!InputPaths.isGlob(a) && !Files.exists(Path.of(a), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new InvalidTextException(a, "no such file or directory");
            } else {
                files.addAll(InputPaths.expand(a));
            }
        }
        return files;
    }

    private void report(List<TrainingOutcome> results) {
        PrintStream stdout = out;
        if (results.size() == 1) {
            TrainingOutcome r = results.get(0);
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
        for (TrainingOutcome r : results) {
            stdout.printf(Locale.ROOT, "%-6s %10d %10.3f %10.3f %14.0f %10.1f%n",
                    r.checkpoint().getFileName(), r.parameterCount(), r.last().validationPerplexity(),
                    r.last().validationBitsPerChar(), r.medianTokensPerSecond(), r.wallSeconds());
        }
    }
}
