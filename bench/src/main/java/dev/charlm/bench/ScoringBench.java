package dev.charlm.bench;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.PerplexityScorer;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.sdk.TextSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code charlm bench scoring}: exact against segmented scoring, side by side in one process.
 *
 * <pre>
 * accuracy   each text exact, then segmented with each warm-up W (and segment length S):
 *            relative perplexity difference and chars/s
 * layouts    one long text segmented vs exact vs the same text as 32 files; 5,000 small files
 * memory     a 200 MB text and a 2 MB one, each in a child JVM: chars/s and peak RSS
 * </pre>
 */
public final class ScoringBench {

    private ScoringBench() {}

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "all";
        Path data = Path.of(System.getProperty("charlm.shared.data", "../shared/data"));
        List<Path> novels = List.of(data.resolve("timemachine.txt"), data.resolve("war_of_the_worlds.txt"),
                data.resolve("pride_and_prejudice.txt"));
        if (what.equals("one")) {
            one(Path.of(args[1]), args.length > 2 ? args[2] : null);
            return;
        }
        System.out.printf("ONNX Runtime scoring, model loaded with %d intra-op threads (one per core)%n",
                Runtime.getRuntime().availableProcessors());
        try (CharModel model = load(System.getProperty("charlm.bench.model"))) {
            if (what.equals("all") || what.equals("accuracy")) {
                accuracy(model, novels, List.of(0L, 64L, 256L, 1024L), List.of(8_192L, 16_384L, 32_768L));
            }
            if (what.equals("all") || what.equals("layouts")) {
                layouts(model, data.resolve("pride_and_prejudice.txt"), novels);
            }
        }
        if (what.equals("all") || what.equals("memory")) {
            memory(novels);
        }
    }

    private static CharModel load(String path) throws Exception {
        return path == null ? CharModel.loadDefault(ModelOptions.forScoring())
                : CharModel.load(Path.of(path), ModelOptions.forScoring());
    }

    private record Timed(ScoreReport report, double seconds) {
        double charsPerSecond() {
            return report.characters() / seconds;
        }
    }

    private static Timed time(PerplexityScorer scorer, Path file) throws IOException {
        long t0 = System.nanoTime();
        ScoreReport r = scorer.score(file);
        return new Timed(r, (System.nanoTime() - t0) / 1e9);
    }

    static void accuracy(CharModel model, List<Path> texts, List<Long> warmups, List<Long> segments) throws IOException {
        System.out.println();
        System.out.println("| text | mode | S bytes | W bytes | perplexity | rel. diff vs exact | chars/s | vs exact |");
        System.out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        PerplexityScorer exact = model.newScorer(ScoringOptions.builder().mode(ScoringMode.EXACT).build());
        for (Path text : texts) {
            time(exact, text); // warm-up: JIT, ONNX Runtime's arena, page cache
            Timed e = time(exact, text);
            System.out.printf(Locale.ROOT, "| %s | exact | | | %.6f | | %,.0f | 1.00x |%n", text.getFileName(),
                    e.report().perplexity(), e.charsPerSecond());
            for (long s : segments) {
                for (long w : warmups) {
                    if (w >= s) {
                        continue;
                    }
                    PerplexityScorer seg = model.newScorer(ScoringOptions.builder().segmentBytes(s).warmupBytes(w).build());
                    Timed t = time(seg, text);
                    double rel = Math.abs(t.report().perplexity() - e.report().perplexity()) / e.report().perplexity();
                    System.out.printf(Locale.ROOT, "| %s | segmented | %,d | %,d | %.6f | %.1e | %,.0f | %.2fx |%n",
                            text.getFileName(), s, w, t.report().perplexity(), rel, t.charsPerSecond(),
                            t.charsPerSecond() / e.charsPerSecond());
                }
            }
        }
    }

    static void layouts(CharModel model, Path novel, List<Path> novels) throws IOException {
        byte[] bytes = Files.readAllBytes(novel);
        List<TextSource> cuts = new ArrayList<>();
        int parts = 32;
        for (int i = 0; i < parts; i++) {
            int from = utf8Start(bytes, (int) ((long) bytes.length * i / parts));
            int to = utf8Start(bytes, (int) ((long) bytes.length * (i + 1) / parts));
            cuts.add(TextSource.of("part" + i, Arrays.copyOfRange(bytes, from, to)));
        }
        List<TextSource> small = smallFiles(novels, 5_000, 1_000, 10_000);
        PerplexityScorer exact = model.newScorer(ScoringOptions.builder().mode(ScoringMode.EXACT).build());
        PerplexityScorer segmented = model.newScorer();
        System.out.println();
        System.out.printf("layouts of %s (%,d bytes); defaults %s; median of 3 runs each, interleaved;%n"
                + "the short layouts repeated %d times per timing, the 32-file ones timed before and after the small"
                + " files%n", novel.getFileName(), bytes.length, segmented.options(), REPEAT);
        System.out.println("| layout | chars/s | vs one file exact |");
        System.out.println("| --- | ---: | ---: |");
        String[] names = {"one file, exact", "one file, segmented (default)", "the same text as 32 files, exact",
            "the same text as 32 files, segmented", "5,000 files of 1-10 KB, segmented"};
        double[][] speed = new double[names.length][3];
        double[][] ratio = new double[2][3];
        TextSource whole = TextSource.of(novel);
        scoreSources(segmented, small.subList(0, 500)); // warm-up: JIT, ONNX Runtime's arena
        for (int run = 0; run < 3; run++) {
            speed[0][run] = scoreSources(exact, List.of(whole));
            speed[1][run] = repeated(segmented, List.of(whole));
            double exactBefore = repeated(exact, cuts);
            double segmentedBefore = repeated(segmented, cuts);
            speed[4][run] = scoreSources(segmented, small);
            double segmentedAfter = repeated(segmented, cuts);
            double exactAfter = repeated(exact, cuts);
            // The machine's speed drifts over minutes: each small-file run is compared with the
            // 32-file runs on either side of it.
            speed[2][run] = (exactBefore + exactAfter) / 2;
            speed[3][run] = (segmentedBefore + segmentedAfter) / 2;
            ratio[0][run] = speed[4][run] / speed[3][run];
            ratio[1][run] = speed[4][run] / speed[2][run];
        }
        double base = median(speed[0]);
        for (int i = 0; i < names.length; i++) {
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2fx |%n", names[i], median(speed[i]), median(speed[i]) / base);
        }
        System.out.printf(Locale.ROOT, "5,000 small files per character against the 32 files around them: %.3fx segmented"
                + " (runs %.3f %.3f %.3f), %.3fx exact (runs %.3f %.3f %.3f)%n", median(ratio[0]), ratio[0][0],
                ratio[0][1], ratio[0][2], median(ratio[1]), ratio[1][0], ratio[1][1], ratio[1][2]);
    }

    /** Short layouts are timed over several passes, so one timing spans more than a moment of noise. */
    private static final int REPEAT = 4;

    private static double repeated(PerplexityScorer scorer, List<TextSource> sources) {
        long t0 = System.nanoTime();
        long chars = 0;
        for (int i = 0; i < REPEAT; i++) {
            chars += characters(scorer.scoreSources(sources, null));
        }
        return chars / ((System.nanoTime() - t0) / 1e9);
    }

    private static long characters(List<ScoreOutcome> outcomes) {
        long chars = 0;
        for (ScoreOutcome o : outcomes) {
            chars += o.report().map(ScoreReport::characters).orElse(0L);
        }
        return chars;
    }

    private static double scoreSources(PerplexityScorer scorer, List<TextSource> sources) {
        long t0 = System.nanoTime();
        long chars = characters(scorer.scoreSources(sources, null));
        return chars / ((System.nanoTime() - t0) / 1e9);
    }

    /** {@code count} pieces of the novels, each of a random length in [min, max) bytes. */
    static List<TextSource> smallFiles(List<Path> novels, int count, int min, int max) throws IOException {
        List<byte[]> texts = new ArrayList<>();
        for (Path p : novels) {
            texts.add(Files.readAllBytes(p));
        }
        Random random = new Random(7);
        List<TextSource> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] t = texts.get(i % texts.size());
            int len = min + random.nextInt(max - min);
            int from = utf8Start(t, random.nextInt(t.length - len));
            int to = utf8Start(t, from + len);
            out.add(TextSource.of("small" + i, Arrays.copyOfRange(t, from, to)));
        }
        return out;
    }

    static void memory(List<Path> novels) throws Exception {
        Path dir = Files.createTempDirectory("charlm-bench");
        try {
            Path big = dir.resolve("200mb.txt");
            Path small = dir.resolve("2mb.txt");
            write(novels, big, 200L << 20);
            write(novels, small, 2L << 20);
            System.out.println();
            System.out.println("memory: each file scored in a child JVM (default options), peak RSS from /proc (VmHWM)");
            System.out.println("| text | mode | chars/s | peak RSS MB |");
            System.out.println("| --- | --- | ---: | ---: |");
            for (Path f : List.of(small, big)) {
                for (String mode : List.of("segmented", "exact")) {
                    if (f == big && mode.equals("exact")) {
                        continue; // hours at one row's speed; the point is segmented mode's memory
                    }
                    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-Dcharlm.shared.data=" + System.getProperty("charlm.shared.data", ""),
                            "-cp", System.getProperty("java.class.path"), ScoringBench.class.getName(), "one",
                            f.toString(), mode).redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes()).strip();
                    p.waitFor();
                    String[] parts = out.split(" ");
                    System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", f.getFileName(), mode,
                            parts.length > 1 ? parts[0] : out, parts.length > 1 ? parts[1] : "?");
                }
            }
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** In a child JVM: scores one file, prints chars/s and peak RSS in MB. */
    static void one(Path file, String mode) throws Exception {
        try (CharModel model = load(System.getProperty("charlm.bench.model"))) {
            PerplexityScorer scorer = model.newScorer("exact".equals(mode)
                    ? ScoringOptions.builder().mode(ScoringMode.EXACT).build() : ScoringOptions.defaults());
            Timed t = time(scorer, file);
            String hwm = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM:")).findFirst().orElse("VmHWM: 0 kB");
            long kb = Long.parseLong(hwm.replaceAll("[^0-9]", ""));
            System.out.printf(Locale.ROOT, "%,.0f %.0f%n", t.charsPerSecond(), kb / 1024.0);
        }
    }

    private static void write(List<Path> novels, Path target, long bytes) throws IOException {
        List<byte[]> texts = new ArrayList<>();
        for (Path p : novels) {
            texts.add(Files.readAllBytes(p));
        }
        try (OutputStream out = Files.newOutputStream(target)) {
            long written = 0;
            for (int i = 0; written < bytes; i++) {
                byte[] t = texts.get(i % texts.size());
                int n = (int) Math.min(t.length, bytes - written);
                n = utf8Start(t, n);
                out.write(t, 0, n);
                written += n;
            }
        }
    }

    /** The first character start at or after {@code i}. */
    static int utf8Start(byte[] b, int i) {
        while (i < b.length && (b[i] & 0xC0) == 0x80) {
            i++;
        }
        return i;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
