package dev.charlm.spark;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreOutput;
import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * {@code charlm spark-score}: the job from the command line, in local mode for a newcomer or
 * through {@code spark-submit} on a cluster (README, "Scoring on Spark").
 */
public final class SparkScore {

    static final String USAGE = """
            Usage: charlm spark-score [--master local[N]] [--model FILE] [--output DIR] [--format json|parquet]
                                      [--json] [--exact | --segment BYTES --warmup BYTES] PATH...
            Scores files, directories (their .txt files, recursively) and globs on Apache Spark, through
            Hadoop's file systems (file:, hdfs:, s3a:). Without --master: spark-submit's master, or local[*].
              --model FILE     a model written by charlm export (default: the sdk's embedded model)
              --output DIR     write one row per file there (a new directory)
              --format FMT     json (JSON lines, default) or parquet
              --json           print the same JSON lines as charlm score --json
              --exact, --segment, --warmup: as for charlm score
            Exit status: 0 all scored, 1 some files failed, 2 bad usage.""";

    private SparkScore() {}

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** The parsed command line. */
    record Args(String master, Path model, Path output, String format, boolean json, ScoringOptions scoring,
            List<String> inputs) {}

    /** Runs the command; returns the exit status. */
    static int execute(String[] argv, PrintStream out, PrintStream err) {
        Args a;
        try {
            a = parse(argv);
        } catch (SparkScoreJob.UsageException e) {
            err.println("charlm spark-score: error: " + e.getMessage());
            return 2;
        }
        if (a == null) {
            out.println(USAGE);
            return 0;
        }
        SparkSession.Builder builder = SparkSession.builder().appName("charlm spark-score");
        if (a.master() != null) {
            builder.master(a.master());
        } else if (System.getProperty("spark.master") == null) {
            builder.master("local[*]");
        }
        SparkSession spark = builder.getOrCreate();
        try {
            SparkScoreJob.Result r = SparkScoreJob.run(spark, new SparkScoreJob.Spec(a.inputs(), a.model(), a.scoring()));
            if (a.output() != null) {
                var writer = r.results().coalesce(1).write().mode(SaveMode.ErrorIfExists);
                if (a.format().equals("parquet")) {
                    writer.parquet(a.output().toString());
                } else {
                    writer.json(a.output().toString());
                }
            }
            return report(r.outcomes(), a.json(), out, err);
        } catch (SparkScoreJob.UsageException e) {
            err.println("charlm spark-score: error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("charlm spark-score: error: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            // Spark's own failures (a lost cluster, a task that failed for good) arrive as unchecked
            // SparkExceptions: one line with the root cause, not Spark's stack trace.
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            err.println("charlm spark-score: error: the job failed: " + root);
            return 1;
        } finally {
            spark.stop();
        }
    }

    /** Prints per-file lines and the total as charlm score does; 1 if any file failed. */
    static int report(List<ScoreOutcome> outcomes, boolean json, PrintStream out, PrintStream err) {
        return ScoreOutput.print(outcomes, json, out, err, "charlm spark-score") > 0 ? 1 : 0;
    }

    /** The command line, checked before Spark starts; null for --help. */
    static Args parse(String[] argv) throws SparkScoreJob.UsageException {
        String master = null;
        Path model = null;
        Path output = null;
        String format = "json";
        boolean json = false;
        boolean exact = false;
        Long segment = null;
        Long warmup = null;
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            switch (arg) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--master" -> master = value(argv, ++i, arg);
                case "--model" -> model = Path.of(value(argv, ++i, arg));
                case "--output" -> output = Path.of(value(argv, ++i, arg));
                case "--format" -> format = value(argv, ++i, arg);
                case "--json" -> json = true;
                case "--exact" -> exact = true;
                case "--segment" -> segment = number(argv, ++i, arg);
                case "--warmup" -> warmup = number(argv, ++i, arg);
                default -> {
                    if (arg.startsWith("--")) {
                        throw new SparkScoreJob.UsageException("unknown option " + arg + " (see --help)");
                    }
                    inputs.add(arg);
                }
            }
        }
        if (inputs.isEmpty()) {
            throw new SparkScoreJob.UsageException("no PATH to score (see --help)");
        }
        if (!format.equals("json") && !format.equals("parquet")) {
            throw new SparkScoreJob.UsageException("--format must be json or parquet, got " + format);
        }
        if (output != null && Files.exists(output)) {
            throw new SparkScoreJob.UsageException("--output " + output + " exists; name a new directory");
        }
        if (exact && (segment != null || warmup != null)) {
            throw new SparkScoreJob.UsageException("--exact scores each file whole; drop "
                    + (segment != null ? "--segment" : "--warmup"));
        }
        ScoringOptions scoring;
        if (exact) {
            scoring = ScoringOptions.builder().mode(ScoringMode.EXACT).build();
        } else {
            long s = segment != null ? segment : ScoringOptions.DEFAULT_SEGMENT_BYTES;
            long w = warmup != null ? warmup : ScoringOptions.DEFAULT_WARMUP_BYTES;
            if (s < 1) {
                throw new SparkScoreJob.UsageException("--segment must be a positive number of bytes, got " + s);
            }
            if (w < 0 || w >= s) {
                throw new SparkScoreJob.UsageException("--warmup must be >= 0 and shorter than --segment (" + s + "), got " + w);
            }
            scoring = ScoringOptions.builder().segmentBytes(s).warmupBytes(w).build();
        }
        if (model == null) {
            model = defaultModel();
        } else if (!Files.isRegularFile(model)) {
            throw new SparkScoreJob.UsageException(model + ": " + (Files.exists(model) ? "not a regular file"
                    : "no such model file"));
        }
        return new Args(master, model, output, format, json, scoring, inputs);
    }

    private static String value(String[] argv, int i, String option) throws SparkScoreJob.UsageException {
        if (i >= argv.length) {
            throw new SparkScoreJob.UsageException(option + " needs a value");
        }
        return argv[i];
    }

    private static long number(String[] argv, int i, String option) throws SparkScoreJob.UsageException {
        String v = value(argv, i, option);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new SparkScoreJob.UsageException(option + " must be a number of bytes, got '" + v + "'");
        }
    }

    /** The sdk's embedded model as a file, to ship to the executors. */
    private static Path defaultModel() throws SparkScoreJob.UsageException {
        try (InputStream in = CharModel.class.getResourceAsStream(CharModel.DEFAULT_MODEL_RESOURCE)) {
            Path dir = Files.createTempDirectory("charlm-spark");
            Path f = dir.resolve("default-model.onnx");
            Files.copy(in, f);
            f.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return f;
        } catch (IOException | NullPointerException e) {
            throw new SparkScoreJob.UsageException("the default model cannot be written to a temporary file: " + e);
        }
    }
}
