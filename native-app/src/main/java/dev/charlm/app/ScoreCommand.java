package dev.charlm.app;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreListener;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code charlm score}: perplexity of files, batched; a table or JSON lines on stdout, progress
 * on stderr. A file that fails is named with its reason, the rest are still scored, and the
 * exit status is then 1.
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

    @Override
    public Integer call() throws Exception {
        List<Path> files = new ArrayList<>();
        for (String p : paths) {
            files.addAll(expand(p));
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        int cores = Runtime.getRuntime().availableProcessors();
        try (CharModel model = modelOption.load(ModelOptions.builder().intraOpThreads(cores).prefixCacheEntries(0).build())) {
            long start = System.nanoTime();
            long[] lastProgress = {start};
            boolean[] progressShown = {false};
            boolean terminal = System.console() != null;
            long every = terminal ? PROGRESS_EVERY_NANOS : 10 * PROGRESS_EVERY_NANOS;
            List<ScoreOutcome> outcomes = model.newScorer().scoreAll(files, new ScoreListener() {
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
            List<ScoreReport> reports = new ArrayList<>();
            int failed = 0;
            if (!json) {
                out.printf("%-40s %10s %9s %12s %9s%n", "file", "perplexity", "bits/char", "characters", "unknown");
            }
            for (ScoreOutcome o : outcomes) {
                if (o.report().isPresent()) {
                    ScoreReport r = o.report().get();
                    reports.add(r);
                    out.println(json ? jsonLine(r, "file") : row(r));
                } else {
                    failed++;
                    err.println("charlm score: " + o.error().orElseThrow());
                    if (json) {
                        out.println("{\"file\":" + quote(o.name()) + ",\"error\":" + quote(o.error().orElseThrow()) + "}");
                    }
                }
            }
            if (!reports.isEmpty()) {
                ScoreReport total = ScoreReport.total("total", reports);
                out.println(json ? jsonLine(total, "total") : row(total));
            }
            if (failed > 0) {
                err.println("charlm score: " + failed + " of " + outcomes.size() + " files could not be scored");
                return EXIT_SOME_FAILED;
            }
            return 0;
        }
    }

    /** A path argument as files: a file, a directory's .txt files, or a glob's matches. */
    static List<Path> expand(String arg) throws UserError, IOException {
        if (arg.contains("*") || arg.contains("?") || arg.contains("[")) {
            int slash = arg.lastIndexOf('/');
            Path base = slash < 0 ? Path.of(".") : Path.of(arg.substring(0, slash + 1));
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + arg.substring(slash + 1));
            if (!Files.isDirectory(base)) {
                throw new UserError(arg + ": no such directory " + base);
            }
            List<Path> matches;
            try (Stream<Path> s = Files.list(base)) {
                matches = s.filter(p -> m.matches(p.getFileName())).sorted().toList();
            }
            if (matches.isEmpty()) {
                throw new UserError(arg + ": matches no files");
            }
            return matches.stream().map(p -> slash < 0 ? p.getFileName() : p).toList();
        }
        Path p = Path.of(arg);
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.walk(p)) {
                // Not isRegularFile: an unreadable entry (a dangling link) must be reported, not skipped.
                List<Path> txt = s.filter(f -> f.toString().endsWith(".txt") && !Files.isDirectory(f)).sorted().toList();
                if (txt.isEmpty()) {
                    throw new UserError(arg + ": directory holds no .txt files");
                }
                return txt;
            }
        }
        return List.of(p); // missing or unreadable files are reported by the scorer, per file
    }

    private static String row(ScoreReport r) {
        String name = r.name().length() > 40 ? "..." + r.name().substring(r.name().length() - 37) : r.name();
        return String.format(Locale.ROOT, "%-40s %10.4f %9.4f %12d %9d", name, r.perplexity(), r.bitsPerCharacter(),
                r.characters(), r.unknownCharacters());
    }

    private static String jsonLine(ScoreReport r, String key) {
        return String.format(Locale.ROOT,
                "{\"%s\":%s,\"perplexity\":%.6f,\"bits_per_char\":%.6f,\"characters\":%d,\"predictions\":%d,\"unknown\":%d}",
                key, quote(r.name()), r.perplexity(), r.bitsPerCharacter(), r.characters(), r.predictions(),
                r.unknownCharacters());
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        dev.charlm.contract.JsonStrings.quote(s, sb);
        return sb.toString();
    }
}
