package dev.charlm.app;

import dev.charlm.contract.InputPaths;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreListener;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreOutput;
import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code charlm score}: perplexity of files, all scored together; a table or JSON lines on
 * stdout, progress on stderr. A file that fails is named with its reason, the rest are still
 * scored, and the exit status is then 1.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score the perplexity of files (files, directories of .txt files, or quoted globs).",
        footer = {"", "Exit status: 0 all scored, 1 some files failed, 2 bad usage."})
public class ScoreCommand implements Callable<Integer> {

    static final int EXIT_SOME_FAILED = 1;
    private static final long PROGRESS_EVERY_NANOS = 500_000_000L;

    @Mixin
    ModelOptionMixin modelOption;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files, directories (their .txt files, recursively) or globs like 'books/*.txt'.")
    List<String> paths;

    @Option(names = "--json", description = "One JSON object per file, then one for the total.")
    boolean json;

    @Option(names = "--exact", description = "Score each file on one batch row, the state carried through the whole"
            + " file (the trainer's definition; a long file then scores at one row's speed).")
    boolean exact;

    @Option(names = "--segment", paramLabel = "BYTES",
            description = "Segment length: longer files are cut into segments scored side by side. Default: "
                    + ScoringOptions.DEFAULT_SEGMENT_BYTES + ".")
    Long segment;

    @Option(names = "--warmup", paramLabel = "BYTES",
            description = "Text before each segment its state is warmed up on. Default: "
                    + ScoringOptions.DEFAULT_WARMUP_BYTES + ".")
    Long warmup;

    @Override
    public Integer call() throws Exception {
        ScoringOptions scoring = options();
        List<Path> files = new ArrayList<>();
        for (String p : paths) {
            files.addAll(expand(p));
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        try (CharModel model = modelOption.load(ModelOptions.forScoring())) {
            long start = System.nanoTime();
            long[] lastProgress = {start};
            boolean[] progressShown = {false};
            boolean terminal = System.console() != null;
            long every = terminal ? PROGRESS_EVERY_NANOS : 10 * PROGRESS_EVERY_NANOS;
            List<ScoreOutcome> outcomes = model.newScorer(scoring).scoreAll(files, new ScoreListener() {
                @Override
                public void onProgress(long scored, int done, int total) {
                    long now = System.nanoTime();
                    if (now - lastProgress[0] >= every) {
                        lastProgress[0] = now;
                        progressShown[0] = terminal;
                        // A line redrawn in place on a terminal; a plain line every 5 s in a log.
                        err.printf(Locale.ROOT, "%sscoring: %d/%d files, %d characters, %.0f chars/s%s",
                                terminal ? "\r" : "", done, total, scored, scored / ((now - start) / 1e9),
                                terminal ? "   " : "\n");
                        err.flush();
                    }
                }
            });
            if (progressShown[0]) {
                err.print("\r\033[K");
            }
            int failed = ScoreOutput.print(outcomes, json, out, err, "charlm score");
            if (failed > 0) {
                return EXIT_SOME_FAILED;
            }
            return 0;
        }
    }

    /** The scoring options the flags ask for, each checked and named as typed. */
    private ScoringOptions options() throws UserError {
        if (exact && (segment != null || warmup != null)) {
            throw new UserError("--exact scores each file whole; drop " + (segment != null ? "--segment" : "--warmup"));
        }
        if (exact) {
            return ScoringOptions.builder().mode(ScoringMode.EXACT).build();
        }
        long s = segment != null ? segment : ScoringOptions.DEFAULT_SEGMENT_BYTES;
        long w = warmup != null ? warmup : ScoringOptions.DEFAULT_WARMUP_BYTES;
        if (s < 1) {
            throw new UserError("--segment must be a positive number of bytes, got " + s);
        }
        if (w < 0) {
            throw new UserError("--warmup must be >= 0 bytes, got " + w);
        }
        if (w >= s) {
            throw new UserError("--warmup (" + w + ") must be shorter than --segment (" + s + ")");
        }
        return ScoringOptions.builder().segmentBytes(s).warmupBytes(w).build();
    }

    /** A path argument as files ({@link InputPaths}); missing files are reported by the scorer. */
    static List<Path> expand(String arg) throws UserError {
        try {
            return InputPaths.expand(arg);
        } catch (InvalidTextException e) {
            throw new UserError(e.getMessage());
        }
    }
}
