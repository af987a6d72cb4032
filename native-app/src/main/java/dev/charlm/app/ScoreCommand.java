package dev.charlm.app;

import dev.charlm.cli.Cli;
import dev.charlm.cli.Interruption;
import dev.charlm.cli.ModelMixin;
import dev.charlm.cli.OutputClosed;
import dev.charlm.cli.ScoringMixin;
import dev.charlm.contract.InputPaths;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.cli.RecordsMixin;
import dev.charlm.sdk.RecordOutput;
import dev.charlm.sdk.RecordParser;
import dev.charlm.sdk.RecordReader;
import dev.charlm.sdk.RecordScore;
import dev.charlm.sdk.RecordScores;
import dev.charlm.sdk.ScoreListener;
import dev.charlm.sdk.TextRecord;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreOutput;
import dev.charlm.sdk.ScoringOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code charlm score}: perplexity of files, all scored together, or of every record (line,
 * JSON line) in them with {@code --records}; a table or JSON lines on stdout, progress on
 * stderr. A file or record that fails is named with its reason, the rest are still scored, and
 * the exit status is then 1.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score the perplexity of files (files, directories of .txt files, or quoted globs).")
public class ScoreCommand implements Callable<Integer> {

    private static final long PROGRESS_EVERY_NANOS = 500_000_000L;

    @Mixin
    ModelMixin modelOption;

    @Mixin
    ScoringMixin scoringOptions;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files, directories (their .txt files, recursively) or globs like 'books/*.txt'.")
    List<String> paths;

    @Option(names = "--json", description = "One JSON object per file, then one for the total.")
    boolean json;

    @Mixin
    RecordsMixin recordsOption;

    @Override
    public Integer call() throws Exception {
        ScoringOptions scoring = scoringOptions.options();
        java.util.Optional<RecordParser> records = recordsOption.parser();
        List<Path> files = new ArrayList<>();
        for (String p : paths) {
            files.addAll(expand(p));
        }
        if (records.isPresent()) {
            return scoreRecords(files, scoring, records.get());
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        try (Interruption interruption = Interruption.watch(Duration.ofSeconds(30));
                CharModel model = modelOption.load(ModelOptions.forScoring())) {
            ScoreOutput output = new ScoreOutput(json, out, err, "charlm score");
            if (!output.begin()) {
                throw new OutputClosed();
            }
            Progress progress = new Progress(err, System.console() != null);
            // Outcomes are printed in input order as soon as every earlier one is done.
            ScoreOutcome[] done = new ScoreOutcome[files.size()];
            int[] printed = {0};
            try {
                model.newScorer(scoring).scoreAll(files, new ScoreListener() {
                    @Override
                    public void onProgress(long predictions, int inputsDone, int inputsTotal) {
                        progress.update(predictions, inputsDone, inputsTotal);
                    }

                    @Override
                    public void onInput(int index, ScoreOutcome outcome) {
                        done[index] = outcome;
                        while (printed[0] < done.length && done[printed[0]] != null) {
                            progress.clear();
                            if (!output.print(done[printed[0]++])) {
                                throw new OutputClosed(); // stops the scoring: nobody reads the rest
                            }
                        }
                    }

                    @Override
                    public boolean isCancelled() {
                        return interruption.requested();
                    }
                });
            } catch (CancellationException e) {
                // Ctrl-C: what is done, in order, and the total of that, marked as interrupted.
                progress.clear();
                for (int i = printed[0]; i < done.length; i++) {
                    if (done[i] != null) {
                        output.print(done[i]);
                    }
                }
                output.finish(files.size(), true);
                return Cli.INTERRUPTED;
            }
            progress.finish();
            return output.finish(files.size(), false) > 0 ? Cli.SOME_INPUTS_FAILED : Cli.DONE;
        }
    }

    /**
     * {@code --records}: the records of every file as one stream, scored packed into the rows and
     * printed in input order ({@link RecordOutput}); Ctrl-C prints the totals of what was done.
     */
    private int scoreRecords(List<Path> files, ScoringOptions scoring, RecordParser parser) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        try (Interruption interruption = Interruption.watch(Duration.ofSeconds(30));
                CharModel model = modelOption.load(ModelOptions.forScoring())) {
            RecordOutput output = new RecordOutput(out, err, "charlm score", files.stream().map(Path::toString).toList());
            Progress progress = new Progress(err, System.console() != null);
            Iterator<TextRecord> input = RecordReader.files(files, parser);
            try (RecordScores scores = model.newScorer(scoring).scoreRecords(input, new ScoreListener() {
                @Override
                public void onProgress(long predictions, int done, int total) {
                    progress.records(predictions, done);
                }

                @Override
                public boolean isCancelled() {
                    return interruption.requested();
                }
            })) {
                while (scores.hasNext()) {
                    RecordScore s = scores.next();
                    progress.clear();
                    if (!output.print(s)) {
                        throw new OutputClosed(); // nobody reads the rest
                    }
                }
            } catch (CancellationException e) {
                progress.clear();
                output.finish(true);
                return Cli.INTERRUPTED;
            }
            progress.finish();
            return output.finish(false) > 0 ? Cli.SOME_INPUTS_FAILED : Cli.DONE;
        }
    }

    /**
     * Progress on stderr: a line redrawn in place on a terminal, a plain line every 5 s in a log,
     * and in a log a last line whose counts are the total's.
     */
    private static final class Progress {
        private final PrintStream err;
        private final boolean terminal;
        private final long start = System.nanoTime();
        private final long every;
        private long last = start;
        private boolean shown;
        private long predictions;
        private int done;
        private int total;
        private boolean records;

        Progress(PrintStream err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
            this.every = terminal ? PROGRESS_EVERY_NANOS : 10 * PROGRESS_EVERY_NANOS;
        }

        void update(long predictions, int done, int total) {
            this.predictions = predictions;
            this.done = done;
            this.total = total;
            long now = System.nanoTime();
            if (now - last >= every) {
                last = now;
                line(now);
            }
        }

        /** Records have no known total: records done so far. */
        void records(long predictions, int done) {
            this.records = true;
            update(predictions, done, -1);
        }

        private void line(long now) {
            shown = terminal;
            String what = records ? String.format(Locale.ROOT, "%,d records", done)
                    : String.format(Locale.ROOT, "%d/%d files", done, total);
            err.printf(Locale.ROOT, "%sscoring: %s, %d predictions, %.0f chars/s%s", terminal ? "\r" : "",
                    what, predictions, predictions / ((now - start) / 1e9), terminal ? "   " : "\n");
            err.flush();
        }

        /** Takes a redrawn line off the terminal before other output. */
        void clear() {
            if (shown) {
                err.print("\r\033[K");
                err.flush();
                shown = false;
            }
        }

        /** In a log that had progress lines, a last one with the final counts. */
        void finish() {
            clear();
            if (!terminal && last != start) {
                line(System.nanoTime());
            }
        }
    }

    /** A path argument as files ({@link InputPaths}); missing files are reported by the scorer. */
    static List<Path> expand(String arg) throws InvalidTextException {
        return InputPaths.expand(arg);
    }
}
