package dev.charlm.spark;

import dev.charlm.cli.Cli;
import dev.charlm.cli.ModelMixin;
import dev.charlm.cli.ScoringMixin;
import dev.charlm.cli.OutputClosed;
import dev.charlm.cli.RecordsMixin;
import dev.charlm.cli.UsageError;
import dev.charlm.sdk.RecordOutput;
import dev.charlm.sdk.RecordParser;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreOutput;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code charlm spark-score}: the job from the command line, in local mode for a newcomer or
 * through {@code spark-submit} on a cluster (docs/spark.md). The model and scoring options are
 * the ones {@code charlm score} takes, declared once ({@link ModelMixin}, {@link ScoringMixin});
 * what is Spark's is the master and where the rows go.
 */
@Command(name = "charlm spark-score", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score files, directories (their .txt files, recursively) and globs on Apache Spark, through"
                + " Hadoop's file systems (file:, hdfs:, s3a:). Without --master: spark-submit's master, or local[*].")
public final class SparkScore implements Callable<Integer> {

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files, directories or globs (Hadoop paths).")
    List<String> inputs;

    @Mixin
    ModelMixin model;

    @Mixin
    ScoringMixin scoring;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master, e.g. local[2] or spark://host:7077.")
    String master;

    @Option(names = "--output", paramLabel = "DIR", description = "Write one row per file there (a new directory).")
    Path output;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "json",
            description = "json (JSON lines) or parquet, for --output. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--json", description = "Print the same JSON lines as charlm score --json.")
    boolean json;

    @Mixin
    RecordsMixin records;

    private final PrintStream out;
    private final PrintStream err;

    SparkScore(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    static int execute(String[] argv, PrintStream out, PrintStream err) {
        return Cli.execute(new SparkScore(out, err), argv, out, err);
    }

    @Override
    public Integer call() throws Exception {
        // Everything checked before Spark starts: a bad option costs no cluster.
        if (!format.equals("json") && !format.equals("parquet")) {
            throw new dev.charlm.contract.InvalidFieldException("format", "must be json or parquet, got " + format);
        }
        if (output != null && Files.exists(output)) {
            throw new UsageError("--output " + output + " exists; name a new directory");
        }
        RecordParser parser = records.parser().orElse(null);
        Path modelFile = model.file();
        if (model.builtIn().isEmpty() && !Files.isRegularFile(modelFile)) {
            throw new UsageError(modelFile + ": " + (Files.exists(modelFile) ? "not a regular file" : "no such model file"));
        }
        SparkScoreJob.Spec spec = new SparkScoreJob.Spec(inputs, modelFile, scoring.options());
        SparkSession.Builder builder = SparkSession.builder().appName("charlm spark-score");
        if (master != null) {
            builder.master(master);
        } else if (System.getProperty("spark.master") == null) {
            builder.master("local[*]");
        }
        // A session that was already running (the caller's, in a test or an application) is left running.
        boolean ours = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = builder.getOrCreate();
        try {
            if (parser != null) {
                return scoreRecords(spark, modelFile, parser);
            }
            SparkScoreJob.Result r = SparkScoreJob.run(spark, spec);
            if (output != null) {
                var writer = r.results().coalesce(1).write().mode(SaveMode.ErrorIfExists);
                if (format.equals("parquet")) {
                    writer.parquet(output.toString());
                } else {
                    writer.json(output.toString());
                }
            }
            return report(r.outcomes(), json, out, err);
        } catch (SparkScoreJob.JobException | IOException e) {
            throw e;
        } catch (Exception e) {
            // Spark's own failures (a lost cluster, a task that failed for good) arrive as unchecked
            // SparkExceptions: one line with the root cause, not Spark's stack trace.
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            err.println("charlm spark-score: error: the job failed: " + root);
            return Cli.SOME_INPUTS_FAILED;
        } finally {
            if (ours) {
                spark.stop();
            }
        }
    }

    /** --records: the records job; JSON lines as charlm score --records prints them, or the rows to --output. */
    private int scoreRecords(SparkSession spark, Path modelFile, RecordParser parser) throws Exception {
        ScoringOptions options = scoring.options();
        Dataset<Row> results = SparkRecordsJob.run(spark, inputs, modelFile, parser, options);
        if (output != null) {
            var writer = results.write().mode(SaveMode.ErrorIfExists);
            if (format.equals("parquet")) {
                writer.parquet(output.toString());
            } else {
                writer.json(output.toString());
            }
            long failed = spark.read().format(format).load(output.toString()).where("error IS NOT NULL").count();
            err.println("charlm spark-score: wrote " + output + (failed > 0 ? "; " + failed + " records could not be"
                    + " scored (their error column says why)" : ""));
            return failed > 0 ? Cli.SOME_INPUTS_FAILED : Cli.DONE;
        }
        List<String> files = new ArrayList<>();
        for (SparkScoreJob.InputFile f : SparkScoreJob.list(inputs, spark.sparkContext().hadoopConfiguration())) {
            files.add(f.name());
        }
        RecordOutput printer = new RecordOutput(out, err, "charlm spark-score", files);
        Iterator<Row> rows = results.toLocalIterator();
        while (rows.hasNext()) {
            if (!printer.print(SparkRecordsJob.score(rows.next(), options))) {
                throw new OutputClosed();
            }
        }
        return printer.finish(false) > 0 ? Cli.SOME_INPUTS_FAILED : Cli.DONE;
    }

    /** Prints per-file lines and the total as charlm score does; 1 if any file failed. */
    static int report(List<ScoreOutcome> outcomes, boolean json, PrintStream out, PrintStream err) {
        return ScoreOutput.print(outcomes, json, out, err, "charlm spark-score") > 0 ? Cli.SOME_INPUTS_FAILED : Cli.DONE;
    }
}
