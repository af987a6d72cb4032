package dev.charlm.spark;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * {@code charlm bench spark}: the job on the same corpus with local[1] and local[2], side by
 * side in one JVM (the model is loaded once and shared, as in an executor), median of three
 * runs each, after one warm-up run; then the job's per-file figures against the sdk scorer's.
 */
public final class SparkBench {

    private SparkBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--records")) {
            records(Path.of(args[1]));
            return;
        }
        Path data = Path.of(System.getProperty("charlm.shared.data", "../shared/data"));
        List<String> inputs = args.length > 0 ? List.of(args)
                : List.of(data.resolve("*.txt").toString(), data.resolve("library").toString());
        Path model = Files.createTempFile("charlm-bench", ".onnx");
        try (InputStream in = CharModel.class.getResourceAsStream(CharModel.DEFAULT_MODEL_RESOURCE)) {
            Files.copy(in, model, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        int runs = 3;
        String[] masters = {"local[1]", "local[2]"};
        double[][] speed = new double[masters.length][runs];
        long characters = 0;
        List<ScoreOutcome> outcomes = List.of();
        for (int m = 0; m < masters.length; m++) {
            SparkSession spark = SparkSession.builder().master(masters[m]).appName("charlm-bench")
                    .config("spark.ui.enabled", "false").getOrCreate();
            try {
                for (int r = -1; r < runs; r++) {
                    long t0 = System.nanoTime();
                    SparkScoreJob.Result result = SparkScoreJob.run(spark,
                            new SparkScoreJob.Spec(inputs, model, ScoringOptions.defaults()));
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    outcomes = result.outcomes();
                    characters = result.outcomes().stream().map(ScoreOutcome::report)
                            .mapToLong(o -> o.map(ScoreReport::characters).orElse(0L)).sum();
                    if (r >= 0) {
                        speed[m][r] = characters / seconds;
                    }
                }
            } finally {
                spark.stop();
            }
        }
        System.out.printf(Locale.ROOT, "Spark %s, %,d characters in %s; median of %d runs after a warm-up%n",
                org.apache.spark.package$.MODULE$.SPARK_VERSION(), characters, inputs, runs);
        System.out.println("| master | chars/s | vs local[1] |");
        System.out.println("| --- | ---: | ---: |");
        double base = median(speed[0]);
        for (int m = 0; m < masters.length; m++) {
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2fx |%n", masters[m], median(speed[m]), median(speed[m]) / base);
        }
        // The cluster's figure must be the sdk's: the same files, the same segmentation, scored by the sdk.
        List<Path> paths = outcomes.stream().map(o -> Path.of(o.name())).toList();
        List<ScoreOutcome> sdk;
        try (CharModel m = CharModel.load(model, ModelOptions.forScoring())) {
            sdk = m.newScorer(ScoringOptions.defaults()).scoreAll(paths, null);
        }
        double worst = 0;
        int compared = 0;
        for (int i = 0; i < paths.size(); i++) {
            ScoreReport a = outcomes.get(i).report().orElse(null);
            ScoreReport b = sdk.get(i).report().orElse(null);
            if (a == null || b == null || a.predictions() != b.predictions()) {
                System.out.printf("%s: the job and the sdk disagree (%s against %s)%n", paths.get(i),
                        outcomes.get(i).error().orElse("scored"), sdk.get(i).error().orElse("scored"));
                worst = Double.POSITIVE_INFINITY;
                continue;
            }
            worst = Math.max(worst, Math.abs(a.perplexity() - b.perplexity()) / b.perplexity());
            compared++;
        }
        System.out.printf(Locale.ROOT, "per-file perplexity against the sdk scorer (same segmentation): largest relative"
                + " difference %.1e over %d files (target: 1e-9)%n", worst, compared);
        Files.deleteIfExists(model);
    }

    /**
     * {@code --records FILE}: spark-score --records jsonl's job on local[1] and local[2], two runs
     * each after a warm-up, then every record's figures against the sdk's records scorer.
     */
    private static void records(Path file) throws Exception {
        Path model = Files.createTempFile("charlm-bench", ".onnx");
        try (InputStream in = CharModel.class.getResourceAsStream(CharModel.DEFAULT_MODEL_RESOURCE)) {
            Files.copy(in, model, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        dev.charlm.sdk.RecordParser parser = new dev.charlm.sdk.RecordParser(dev.charlm.sdk.RecordFormat.JSONL, "text", "id");
        Path warmUp = Files.createTempFile("charlm-bench", ".jsonl");
        try (java.util.stream.Stream<String> lines = Files.lines(file)) {
            Files.write(warmUp, lines.limit(300).toList());
        }
        String[] masters = {"local[1]", "local[2]"};
        double[][] speed = new double[masters.length][2];
        List<org.apache.spark.sql.Row> rows = List.of();
        long predictions = 0;
        for (int m = 0; m < masters.length; m++) {
            SparkSession spark = SparkSession.builder().master(masters[m]).appName("charlm-bench")
                    .config("spark.ui.enabled", "false").getOrCreate();
            try {
                SparkRecordsJob.run(spark, List.of(warmUp.toString()), model, parser, ScoringOptions.defaults()).count();
                for (int r = 0; r < 2; r++) {
                    long t0 = System.nanoTime();
                    rows = SparkRecordsJob.run(spark, List.of(file.toString()), model, parser, ScoringOptions.defaults())
                            .collectAsList();
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    predictions = rows.stream().filter(x -> !x.isNullAt(6)).mapToLong(x -> x.getLong(6)).sum();
                    speed[m][r] = predictions / seconds;
                }
            } finally {
                spark.stop();
            }
        }
        System.out.printf(Locale.ROOT, "spark-score --records jsonl: %,d records, %,d predictions in %s; two runs each"
                + " after a warm-up%n", rows.size(), predictions, file);
        System.out.println("| master | predictions/s (2 runs) | vs local[1] |");
        System.out.println("| --- | ---: | ---: |");
        double base = (speed[0][0] + speed[0][1]) / 2;
        for (int m = 0; m < masters.length; m++) {
            double mean = (speed[m][0] + speed[m][1]) / 2;
            System.out.printf(Locale.ROOT, "| %s | %,.0f (%,.0f, %,.0f) | %.2fx |%n", masters[m], mean, speed[m][0],
                    speed[m][1], mean / base);
        }
        double worst = 0;
        int compared = 0;
        try (CharModel m = CharModel.load(model, ModelOptions.forScoring());
                dev.charlm.sdk.RecordReader reader = dev.charlm.sdk.RecordReader.open(file, parser);
                dev.charlm.sdk.RecordScores sdk = m.newScorer().scoreRecords(reader, null)) {
            for (org.apache.spark.sql.Row row : rows) {
                dev.charlm.sdk.RecordScore s = sdk.next();
                if (s.report().isPresent() && !row.isNullAt(3)) {
                    double p = s.report().get().perplexity();
                    worst = Math.max(worst, Math.abs(row.getDouble(3) - p) / p);
                    compared++;
                } else if (s.report().isPresent() != !row.isNullAt(3) || s.line() != row.getLong(1)) {
                    worst = Double.POSITIVE_INFINITY;
                }
            }
        }
        System.out.printf(Locale.ROOT, "per-record perplexity against the sdk's records scorer: largest relative difference"
                + " %.1e over %,d records (target: 1e-9)%n", worst, compared);
        Files.deleteIfExists(model);
        Files.deleteIfExists(warmUp);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
