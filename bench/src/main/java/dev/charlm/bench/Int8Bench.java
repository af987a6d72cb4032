package dev.charlm.bench;

import dev.charlm.contract.Perplexity;
import dev.charlm.contract.Precision;
import dev.charlm.contract.Preprocessing;
import dev.charlm.sdk.BuiltInModel;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.charlm.sdk.GenerationSession;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.sdk.StepBatcher;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.data.SourceText;
import dev.charlm.trainer.data.TextStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./charlm bench int8}: a model and its int8 twin side by side in one run: file size,
 * perplexity (the library's twelve held-out parts, and two novels whole), scoring (segmented,
 * two intra-op threads, Pride and Prejudice), batch-1 streaming (one thread; characters per
 * second and the median time per character) and 32 concurrent streams through the StepBatcher.
 * Medians of interleaved runs. Arguments: an fp32 model file and its int8 twin (default: the
 * built-in pair).
 */
public final class Int8Bench {

    private Int8Bench() {}

    public static void main(String[] args) throws Exception {
        int runs = 3;
        byte[] fp32 = args.length >= 2 ? Files.readAllBytes(Path.of(args[0])) : builtIn(Precision.FP32);
        byte[] int8 = args.length >= 2 ? Files.readAllBytes(Path.of(args[1])) : builtIn(Precision.INT8);
        String name = args.length >= 2 ? Path.of(args[0]).getFileName().toString() : "the built-in model";
        Path data = Path.of(System.getProperty("charlm.shared.data", "../shared/data"));
        Path novel = data.resolve("pride_and_prejudice.txt");
        System.out.printf(Locale.ROOT, "%s, fp32 against int8, medians of %d interleaved runs%n%n", name, runs);
        System.out.printf(Locale.ROOT, "%-58s %12s %12s %8s%n", "", "fp32", "int8", "ratio");
        row("file size (MB)", fp32.length / 1e6, int8.length / 1e6, "%12.2f");

        List<String> heldOut = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Corpus corpus = Corpus.load(new CorpusSpec(Library.resolveAll(TextStore.fromSystemProperties()), List.of(), true,
                0), Preprocessing.D2L, 0.1, null);
        for (SourceText s : corpus.sources()) {
            heldOut.add(s.heldOut());
            names.add(s.path().getFileName().toString());
        }
        try (CharModel a = CharModel.load(fp32, "fp32", ModelOptions.forScoring());
                CharModel b = CharModel.load(int8, "int8", ModelOptions.forScoring())) {
            ScoringOptions exact = ScoringOptions.builder().mode(ScoringMode.EXACT).build();
            row("perplexity, the twelve novels' held-out parts (exact)", heldOutPerplexity(a, heldOut, names, exact),
                    heldOutPerplexity(b, heldOut, names, exact), "%12.4f");
            for (String whole : List.of("war_of_the_worlds.txt", "pride_and_prejudice.txt")) {
                row("perplexity, " + whole + " whole (segmented)", a.newScorer().score(data.resolve(whole)).perplexity(),
                        b.newScorer().score(data.resolve(whole)).perplexity(), "%12.4f");
            }
            double[] sa = new double[runs];
            double[] sb = new double[runs];
            long chars = a.newScorer().score(novel).characters();
            for (int r = 0; r < runs; r++) {
                sa[r] = scoringRate(a, novel, chars);
                sb[r] = scoringRate(b, novel, chars);
            }
            row("scoring, segmented, 2 threads, Pride and Prejudice (chars/s)", median(sa), median(sb), "%12.0f");
        }
        try (CharModel a = CharModel.load(fp32, "fp32", ModelOptions.defaults());
                CharModel b = CharModel.load(int8, "int8", ModelOptions.defaults())) {
            double[][] ra = new double[runs][];
            double[][] rb = new double[runs][];
            stream(a, 2_000);
            stream(b, 2_000);
            for (int r = 0; r < runs; r++) {
                ra[r] = stream(a, 20_000);
                rb[r] = stream(b, 20_000);
            }
            row("batch-1 streaming, 1 thread (chars/s)", median(column(ra, 0)), median(column(rb, 0)), "%12.0f");
            row("batch-1 streaming, median time per character (us)", median(column(ra, 1)), median(column(rb, 1)),
                    "%12.1f");
            int cores = Runtime.getRuntime().availableProcessors();
            double[] ca = new double[runs];
            double[] cb = new double[runs];
            for (int r = 0; r < runs; r++) {
                try (StepBatcher batcher = StepBatcher.create(a, 128, Duration.ofMillis(2), cores)) {
                    ca[r] = ConcurrencyBench.measureSubmitted(32, 5, a, batcher);
                }
                try (StepBatcher batcher = StepBatcher.create(b, 128, Duration.ofMillis(2), cores)) {
                    cb[r] = ConcurrencyBench.measureSubmitted(32, 5, b, batcher);
                }
            }
            row("32 concurrent streams, StepBatcher, a lane per core (chars/s)", median(ca), median(cb), "%12.0f");
        }
    }

    private static byte[] builtIn(Precision p) throws Exception {
        try (InputStream in = CharModel.class.getResourceAsStream(BuiltInModel.DEFAULT.resource(p))) {
            return in.readAllBytes();
        }
    }

    private static void row(String what, double fp32, double int8, String format) {
        System.out.printf(Locale.ROOT, "%-58s " + format + " " + format + " %7.3fx%n", what, fp32, int8, int8 / fp32);
    }

    private static double heldOutPerplexity(CharModel m, List<String> texts, List<String> names, ScoringOptions o) {
        double nll = 0;
        long predictions = 0;
        for (int i = 0; i < texts.size(); i++) {
            ScoreReport r = m.newScorer(o).score(names.get(i), texts.get(i));
            nll += r.totalNll();
            predictions += r.predictions();
        }
        return Perplexity.of(nll, predictions);
    }

    static double scoringRate(CharModel m, Path novel, long chars) throws Exception {
        long t0 = System.nanoTime();
        m.newScorer().score(novel);
        return chars / ((System.nanoTime() - t0) / 1e9);
    }

    /** Characters per second and the median microseconds per character of one greedy stream. */
    static double[] stream(CharModel m, int characters) {
        GenerationSession s = m.newSession();
        s.feed("the time traveller");
        long[] at = new long[characters + 1];
        int[] i = {0};
        at[0] = System.nanoTime();
        s.generate(GenerationOptions.builder().temperature(0.8).seed(7).maxCharacters(characters).build(),
                ch -> at[++i[0]] = System.nanoTime());
        double[] gaps = new double[characters];
        for (int k = 0; k < characters; k++) {
            gaps[k] = (at[k + 1] - at[k]) / 1e3;
        }
        return new double[] {characters / ((at[characters] - at[0]) / 1e9), median(gaps)};
    }

    static double[] column(double[][] rows, int c) {
        double[] out = new double[rows.length];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[r][c];
        }
        return out;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
