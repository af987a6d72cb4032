package dev.charlm.trainer;

import dev.charlm.contract.InputPaths;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.checkpoint.CheckpointException;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.DefaultData;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.trainer.data.TextStore;
import dev.charlm.trainer.data.TooLittleDataException;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.train.EpochMetrics;
import dev.charlm.trainer.train.LearningRateSchedule;
import dev.charlm.trainer.train.OptimizerKind;
import dev.charlm.trainer.train.TrainingRecipe;
import dev.charlm.trainer.train.TrainingSettings;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
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
    /** Exit status of anything else that went wrong. */
    static final int EXIT_FAILURE = 1;

    @Option(names = "--data", paramLabel = "FILE|DIR|GLOB|library|more",
            description = "Text to train on; repeatable; a directory means its .txt files (recursively); 'library'"
                    + " means the twelve novels of the manifest, 'more' its 21 further novels. Default: The Time Machine (d2l's copy, checked"
                    + " against its SHA-1).")
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

    @Option(names = "--text", paramLabel = "MODE", defaultValue = "d2l",
            description = "Preprocessing: d2l (lowercase letters and spaces, 28 tokens) or raw (every character). Default: ${DEFAULT-VALUE}.")
    String text;

    @Option(names = "--holdout", paramLabel = "FRACTION", defaultValue = "0.1",
            description = "Held-out tail of each file, never trained on. Default: ${DEFAULT-VALUE}.")
    double holdout;

    @Option(names = {"--partitioning", "--sampling"}, paramLabel = "MODE", defaultValue = "sequential",
            description = "Minibatches by random sampling or sequential partitioning (d2l 9.3): random or sequential. Default: ${DEFAULT-VALUE}.")
    String partitioning;

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

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate. Default: 0.005 with adam, 2 with sgd (the chapter's).")
    Float lr;

    @Option(names = "--lr-schedule", paramLabel = "NAME",
            description = "constant or cosine (decay to zero over the run's planned steps). Default: cosine with adam,"
                    + " constant with sgd.")
    String lrSchedule;

    @Option(names = "--warmup-steps", paramLabel = "N", defaultValue = "0",
            description = "Updates of linear learning-rate warm-up. Default: ${DEFAULT-VALUE}.")
    int warmupSteps;

    @Option(names = "--weight-decay", paramLabel = "W",
            description = "Decoupled weight decay per update (AdamW with adam). Default: 0.05 with adam, 0 with sgd.")
    Float weightDecay;

    @Option(names = "--clip", paramLabel = "THETA", defaultValue = "1",
            description = "Global gradient-norm clipping threshold. Default: ${DEFAULT-VALUE}.")
    float clip;

    @Option(names = "--average", paramLabel = "DECAY",
            description = "Evaluate and save an exponential moving average of the weights with this decay; 0: off."
                    + " Default: 0.999 with adam, 0 with sgd.")
    Float average;

    @Option(names = "--epochs", defaultValue = "15", description = "Total epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--max-minutes", paramLabel = "M", defaultValue = "0",
            description = "Stop after the epoch that passes M minutes of training; 0: no limit. Default: ${DEFAULT-VALUE}.")
    double maxMinutes;

    @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--num-steps", defaultValue = "35", description = "Characters per window. Default: ${DEFAULT-VALUE}.")
    int numSteps;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

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
            if (ex instanceof TooLittleDataException) {
                stderr.println("charlm train: error: " + ex.getMessage() + " (lower --batch-size or --num-steps)");
                return EXIT_USAGE;
            }
            if (ex instanceof UsageException || ex instanceof InvalidTextException || ex instanceof CheckpointException) {
                stderr.println("charlm train: error: " + ex.getMessage());
                return EXIT_USAGE;
            }
            // Not the user's mistake: say so, with the trace for a bug report.
            stderr.println("charlm train: internal error: " + ex);
            ex.printStackTrace(stderr);
            return EXIT_FAILURE;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        ConsoleProgress progress = new ConsoleProgress(err, terminal, epochs);
        TrainingRun run = new TrainingRun(err, progress);
        if (epochs < 1) {
            throw new UsageException("--epochs must be positive, got " + epochs);
        }
        if (resume != null) {
            for (String option : List.of("--data", "--eval-data", "--strip-front-matter", "--train-chars", "--text",
                    "--holdout", "--partitioning", "--cell", "--impl", "--layers", "--hidden", "--dropout",
                    "--optimizer", "--lr", "--lr-schedule", "--warmup-steps", "--weight-decay", "--clip", "--average",
                    "--max-minutes", "--batch-size", "--num-steps", "--seed", "--checkpoint-every", "--compare")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new UsageException("--resume takes the model, data and settings from "
                            + resume + "; drop " + option);
                }
            }
            TrainingOutcome result = run.resume(resume, epochs, outDir != null ? outDir : resume);
            report(List.of(result));
            return 0;
        }
        TrainingRequest request = request();
        if (compare == null) {
            report(List.of(run.train(request)));
            return 0;
        }
        List<TrainingOutcome> results = new ArrayList<>();
        Path base = outDir != null ? outDir : Path.of("runs", "compare");
        List<Cell> cells = new ArrayList<>();
        for (String c : compare) {
            cells.add(option("--compare", () -> Cell.fromId(c.trim())));
        }
        for (Cell c : cells) {
            err.println("charlm train: --compare: training " + c.id());
            results.add(run.train(request.withCell(c, base.resolve(c.id()))));
        }
        report(results);
        return 0;
    }

    /** The request the options describe, each checked and named as the user typed it. */
    private TrainingRequest request() throws UsageException, InvalidTextException {
        positive("--layers", layers);
        positive("--hidden", hidden);
        positive("--batch-size", batchSize);
        positive("--num-steps", numSteps);
        if (!(holdout > 0 && holdout < 1)) {
            throw new UsageException("--holdout must be in (0, 1), got " + holdout);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UsageException("--dropout must be in [0, 1), got " + dropout);
        }
        OptimizerKind optimizerKind = option("--optimizer", () -> OptimizerKind.fromId(optimizer));
        TrainingRecipe recipe = TrainingRecipe.of(optimizerKind).with(this.lr,
                lrSchedule == null ? null : option("--lr-schedule", () -> LearningRateSchedule.fromId(lrSchedule)),
                this.weightDecay, this.average);
        float lr = recipe.lr();
        float weightDecay = recipe.weightDecay();
        float average = recipe.average();
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw new UsageException("--lr must be positive, got " + lr);
        }
        if (!(clip > 0)) {
            throw new UsageException("--clip must be positive, got " + clip);
        }
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            throw new UsageException("--weight-decay must be in [0, 1), got " + weightDecay);
        }
        if (!(average >= 0 && average < 1)) {
            throw new UsageException("--average must be in [0, 1), got " + average);
        }
        if (warmupSteps < 0 || !(maxMinutes >= 0) || trainChars < 0 || checkpointEvery < 0) {
            throw new UsageException("--warmup-steps, --max-minutes, --train-chars and --checkpoint-every must be >= 0");
        }
        TrainingSettings settings = new TrainingSettings(
                option("--partitioning", () -> Partitioning.fromId(partitioning)),
                optimizerKind, lr, recipe.schedule(), warmupSteps, weightDecay, clip, average, epochs, maxMinutes,
                batchSize, numSteps, seed, checkpointEvery);
        boolean library = java.util.stream.Stream.concat(data.stream(), evalData.stream())
                .anyMatch(a -> Library.named(a).isPresent());
        List<Path> training = data.isEmpty() ? List.of(DefaultData.fromSystemProperties().timeMachine()) : paths(data);
        CorpusSpec corpus = new CorpusSpec(training, paths(evalData), stripFrontMatter || library, trainChars);
        return new TrainingRequest(corpus, option("--text", () -> Preprocessing.fromId(text)), holdout,
                option("--cell", () -> Cell.fromId(cell)), option("--impl", () -> Implementation.fromId(impl)),
                layers, hidden, dropout, settings, outDir != null ? outDir : Path.of("runs", cell));
    }

    /** Path arguments as files: 'library' or 'more' (unless a file of that name exists), else InputPaths' rules. */
    private static List<Path> paths(List<String> args) throws InvalidTextException {
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

    private static void positive(String option, int value) throws UsageException {
        if (value < 1) {
            throw new UsageException(option + " must be positive, got " + value);
        }
    }

    /** Parses an option value; the library's message names the accepted values. */
    private static <T> T option(String name, Supplier<T> parse) throws UsageException {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + ": " + e.getMessage());
        }
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
