package dev.charlm.bench;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.PerplexityScorer;
import dev.charlm.sdk.RecordFormat;
import dev.charlm.sdk.RecordParser;
import dev.charlm.sdk.RecordReader;
import dev.charlm.sdk.RecordScore;
import dev.charlm.sdk.RecordScores;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreReport;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./charlm bench records [N] [--no-memory]}: scoring documents against scoring files, side by side in
 * one run. N records of 100-2,000 characters (slices of the library's novels, d2l-clean) in one
 * JSON-lines file against the same characters as 32 files, both with the default (segmented)
 * scoring, alternated twice; then the peak resident memory of {@code charlm score --records} (the
 * packaged app, its own process) on a 20 MB file against a 2 GB one, the 2 GB run stopped once it
 * has run as long as the 20 MB one took: streaming means the peak is reached early and stays.
 * Writes its files under target/bench-records (the JSON-lines file is the one {@code ./charlm
 * bench spark --records} takes).
 */
public final class RecordsBench {

    private RecordsBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        boolean memory = !List.of(args).contains("--no-memory");
        Path dir = Files.createDirectories(Path.of("target", "bench-records"));
        Path data = Path.of(System.getProperty("charlm.shared.data", "../shared/data"));
        String source;
        try (Stream<Path> books = Files.list(data.resolve("library"))) {
            StringBuilder all = new StringBuilder();
            for (Path b : books.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
                all.append(Files.readString(b).replaceAll("[^A-Za-z]+", " ").toLowerCase(Locale.ROOT));
            }
            source = all.toString();
        }
        Random random = new Random(42);
        List<String> texts = new ArrayList<>(n);
        long characters = 0;
        for (int i = 0; i < n; i++) {
            int length = 100 + random.nextInt(1901);
            int from = random.nextInt(source.length() - length);
            String t = source.substring(from, from + length).strip();
            texts.add(t);
            characters += t.length();
        }
        Path jsonl = dir.resolve("records.jsonl");
        writeJsonl(jsonl, texts, 1);
        List<Path> files = new ArrayList<>();
        for (int f = 0; f < 32; f++) {
            Path p = dir.resolve(String.format(Locale.ROOT, "part-%02d.txt", f));
            try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
                for (int i = f; i < n; i += 32) {
                    w.write(texts.get(i));
                    w.write(' ');
                }
            }
            files.add(p);
        }

        System.out.printf(Locale.ROOT, "%,d records of 100-2,000 characters (%,d characters) in one JSON-lines file,"
                + " against the same characters in 32 files; default (segmented) scoring, 2 threads%n", n, characters);
        double[] records = new double[2];
        double[] asFiles = new double[2];
        try (CharModel model = CharModel.loadDefault(ModelOptions.forScoring())) {
            PerplexityScorer scorer = model.newScorer();
            // Warm-up of both paths (the JIT, ONNX Runtime's first calls), untimed.
            scoreRecords(scorer, dir.resolve("warm-up.jsonl"), texts.subList(0, Math.min(1000, n)));
            scorer.scoreAll(files.subList(0, 4), null);
            for (int run = 0; run < 2; run++) {
                // A B, then B A: neither side always goes first.
                for (int side = 0; side < 2; side++) {
                    boolean recordsNow = (run + side) % 2 == 0;
                    long t0 = System.nanoTime();
                    long predicted = 0;
                    if (recordsNow) {
                        predicted = scoreRecords(scorer, jsonl);
                    } else {
                        for (ScoreOutcome o : scorer.scoreAll(files, null)) {
                            predicted += o.report().map(ScoreReport::predictions).orElse(0L);
                        }
                    }
                    double rate = predicted / ((System.nanoTime() - t0) / 1e9);
                    if (recordsNow) {
                        records[run] = rate;
                    } else {
                        asFiles[run] = rate;
                    }
                }
            }
        }
        System.out.println();
        System.out.println("| input | predictions/s (2 runs) | vs 32 files |");
        System.out.println("| --- | ---: | ---: |");
        System.out.printf(Locale.ROOT, "| 32 files | %,.0f (%,.0f, %,.0f) | 1.00x |%n", mean(asFiles), asFiles[0], asFiles[1]);
        System.out.printf(Locale.ROOT, "| %,d JSON lines | %,.0f (%,.0f, %,.0f) | %.2fx |%n", n, mean(records), records[0],
                records[1], mean(records) / mean(asFiles));

        Path app = Path.of(System.getProperty("charlm.app.jar", "native-app/target/quarkus-app/quarkus-run.jar"));
        if (!memory) {
            return;
        }
        if (!Files.exists(app)) {
            System.out.println("\n(no " + app + ": the memory rows need the packaged app)");
            return;
        }
        Path small = dir.resolve("20mb.jsonl");
        Path large = dir.resolve("2gb.jsonl");
        writeJsonl(small, texts, (int) Math.max(1, Math.round(20_000_000.0 / Files.size(jsonl))));
        if (!Files.exists(large) || Files.size(large) < 2_000_000_000L) {
            writeJsonl(large, texts, (int) (2_000_000_000L / Files.size(jsonl)) + 1);
        }
        long[] smallRun = peakMemory(app, small, 0);
        long[] largeRun = peakMemory(app, large, smallRun[1]);
        System.out.println();
        System.out.println("| charlm score --records jsonl | size | ran | peak RSS | vs 20 MB |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        System.out.printf(Locale.ROOT, "| %s | %,d MB | %d s (to the end) | %,d MB | 1.00x |%n", small.getFileName(),
                Files.size(small) >> 20, smallRun[1] / 1000, smallRun[0] >> 10);
        System.out.printf(Locale.ROOT, "| %s | %,d MB | %d s (stopped) | %,d MB | %.2fx |%n", large.getFileName(),
                Files.size(large) >> 20, largeRun[1] / 1000, largeRun[0] >> 10, (double) largeRun[0] / smallRun[0]);
        Files.delete(large);
    }

    private static void writeJsonl(Path file, List<String> texts, int copies) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            long id = 0;
            for (int c = 0; c < copies; c++) {
                for (String t : texts) {
                    w.write("{\"id\":" + id++ + ",\"text\":\"" + t + "\"}\n");
                }
            }
        }
    }

    private static long scoreRecords(PerplexityScorer scorer, Path file, List<String> texts) throws IOException {
        writeJsonl(file, texts, 1);
        return scoreRecords(scorer, file);
    }

    private static long scoreRecords(PerplexityScorer scorer, Path file) throws IOException {
        long predictions = 0;
        try (RecordReader reader = RecordReader.open(file, new RecordParser(RecordFormat.JSONL, "text", "id"));
                RecordScores scores = scorer.scoreRecords(reader, null)) {
            while (scores.hasNext()) {
                RecordScore s = scores.next();
                predictions += s.report().map(ScoreReport::predictions).orElse(0L);
            }
        }
        return predictions;
    }

    /**
     * Runs {@code charlm score --records jsonl} on {@code file} (output discarded) and samples its
     * peak resident set (VmHWM) until it ends or {@code stopAfterMillis} pass (0: to the end).
     *
     * @return {peak RSS in KiB, milliseconds run}
     */
    private static long[] peakMemory(Path app, Path file, long stopAfterMillis) throws Exception {
        Process p = new ProcessBuilder("java", "-jar", app.toString(), "score", "--records", "jsonl", file.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long t0 = System.nanoTime();
        long peak = 0;
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        while (p.isAlive()) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        peak = Math.max(peak, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (IOException gone) {
                break;
            }
            long ran = (System.nanoTime() - t0) / 1_000_000;
            if (stopAfterMillis > 0 && ran >= stopAfterMillis) {
                p.destroy();
                p.waitFor(30, TimeUnit.SECONDS);
                return new long[] {peak, ran};
            }
            Thread.sleep(200);
        }
        return new long[] {peak, (System.nanoTime() - t0) / 1_000_000};
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(0);
    }
}
