package dev.charlm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The job on a real local[2] Spark, against the sdk scorer on the same files. */
@Timeout(300)
class SparkScoreJobTest {

    @TempDir static Path dir;
    static SparkSession spark;
    static Path model;
    static final Path data = Path.of(System.getProperty("charlm.shared.data"));

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("charlm-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4").getOrCreate();
        model = dir.resolve("model.onnx");
        try (InputStream in = CharModel.class.getResourceAsStream(CharModel.DEFAULT_MODEL_RESOURCE)) {
            Files.copy(in, model);
        }
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static SparkScoreJob.Result run(ScoringOptions scoring, String... inputs) throws Exception {
        return SparkScoreJob.run(spark, new SparkScoreJob.Spec(List.of(inputs), model, scoring));
    }

    @Test
    void perFileFiguresEqualTheSdkScorersWithTheSameSegmentation() throws Exception {
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        Files.copy(data.resolve("timemachine.txt"), corpus.resolve("timemachine.txt"));
        Files.writeString(corpus.resolve("short.txt"), "the time traveller smiled round at us");
        Files.writeString(corpus.resolve("sub-dir-file.txt"), "weena was beside me ".repeat(300));
        ScoringOptions scoring = ScoringOptions.builder().segmentBytes(4_096).warmupBytes(256).build();
        int loadsBefore = ModelCache.loads();
        SparkScoreJob.Result r = run(scoring, corpus.toString());
        List<Path> files = List.of(corpus.resolve("short.txt"), corpus.resolve("sub-dir-file.txt"),
                corpus.resolve("timemachine.txt"));
        List<ScoreOutcome> sdk;
        try (CharModel m = CharModel.load(model, ModelOptions.forScoring())) {
            sdk = m.newScorer(scoring).scoreAll(files, null);
        }
        assertEquals(3, r.outcomes().size());
        for (int i = 0; i < files.size(); i++) {
            ScoreReport expected = sdk.get(i).report().orElseThrow();
            ScoreReport actual = r.outcomes().get(i).report().orElseThrow();
            assertEquals(files.get(i).toString(), actual.name());
            assertEquals(expected.predictions(), actual.predictions());
            assertEquals(expected.characters(), actual.characters());
            assertEquals(expected.unknownCharacters(), actual.unknownCharacters());
            assertEquals(expected.segments(), actual.segments());
            assertEquals(expected.perplexity(), actual.perplexity(), expected.perplexity() * 1e-9, files.get(i).toString());
        }
        assertTrue(r.outcomes().get(2).report().orElseThrow().segments() > 40);
        List<Row> rows = r.results().collectAsList();
        assertEquals(3, rows.size());
        assertEquals(sdk.get(2).report().orElseThrow().perplexity(), rows.get(2).getDouble(rows.get(2).fieldIndex("perplexity")),
                1e-9);
        // The JSON lines are those of charlm score --json: the same report, the same writer.
        assertEquals(lines(sdk), lines(r.outcomes()));
        // One model per JVM: loaded once (by the driver here, local mode shares the JVM), then reused.
        assertTrue(ModelCache.loads() - loadsBefore <= 1, "loads: " + (ModelCache.loads() - loadsBefore));
        int loads = ModelCache.loads();
        run(scoring, corpus.resolve("short.txt").toString());
        assertEquals(loads, ModelCache.loads(), "a second job loaded the model again");
    }

    static String lines(List<ScoreOutcome> outcomes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SparkScore.report(outcomes, true, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream()));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badFilesHaveTheirReasonAndTheOthersAreScored() throws Exception {
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        Files.writeString(mixed.resolve("a.txt"), "the time traveller smiled round at us");
        Files.write(mixed.resolve("b.txt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 1});
        Files.write(mixed.resolve("c.txt"), "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1));
        Files.createFile(mixed.resolve("d.txt"));
        SparkScoreJob.Result r = run(ScoringOptions.defaults(), mixed.toString(), dir.resolve("missing.txt").toString());
        List<ScoreOutcome> o = r.outcomes();
        assertTrue(o.get(0).succeeded());
        assertEquals(mixed.resolve("b.txt") + ": looks binary (NUL byte at offset 4), expected UTF-8 text",
                o.get(1).error().orElseThrow());
        assertEquals(mixed.resolve("c.txt") + ": is not valid UTF-8 (bad byte sequence at offset 3)",
                o.get(2).error().orElseThrow());
        assertEquals(mixed.resolve("d.txt") + ": file is empty", o.get(3).error().orElseThrow());
        assertEquals(dir.resolve("missing.txt") + ": no such file", o.get(4).error().orElseThrow());
        List<Row> rows = r.results().collectAsList();
        assertTrue(rows.get(1).getString(rows.get(1).fieldIndex("error")).contains("looks binary"));
        assertTrue(rows.get(0).isNullAt(rows.get(0).fieldIndex("error")));
    }

    @Test
    void inputsThatMatchNothingAreClearErrors() throws Exception {
        SparkScoreJob.JobException glob = assertThrows(SparkScoreJob.JobException.class,
                () -> run(ScoringOptions.defaults(), dir + "/*.csv"));
        assertEquals(dir + "/*.csv: matches no files", glob.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        SparkScoreJob.JobException none = assertThrows(SparkScoreJob.JobException.class,
                () -> run(ScoringOptions.defaults(), empty.toString()));
        assertEquals(empty + ": directory holds no .txt files", none.getMessage());
    }

    @Test
    void anExecutorRefusesAShippedFileThatIsNotTheDriversModel() throws Exception {
        // What a cluster's executor gets when the model was replaced under the same name during a
        // session: Spark serves the file it shipped first, which no longer has the job's SHA-256.
        String driversSha = "0".repeat(64);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> ModelCache.get(driversSha, model, 1));
        assertEquals(model + ": SHA-256 " + ModelCache.sha256(model) + ", not the driver's model " + driversSha
                + " (a model file replaced during a Spark session is not shipped again: give it a new name)",
                e.getMessage());
    }

    @Test
    void linksAndPipesAreTakenAsCharlmScoreTakesThem() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("odd"));
        Files.writeString(odd.resolve("good.txt"), "the time traveller smiled round at us");
        Files.createSymbolicLink(odd.resolve("loop"), odd); // a directory link loop: followed, it repeats good.txt
        Files.createSymbolicLink(odd.resolve("self.txt"), odd.resolve("self.txt")); // a file link loop
        assertEquals(0, new ProcessBuilder("mkfifo", odd.resolve("pipe.txt").toString()).start().waitFor());
        SparkScoreJob.Result r = run(ScoringOptions.defaults(), odd.toString());
        List<ScoreOutcome> sdk;
        try (CharModel m = CharModel.load(model, ModelOptions.forScoring())) {
            sdk = m.newScorer().scoreAll(dev.charlm.contract.InputPaths.expand(odd.toString()), null);
        }
        assertEquals(3, r.outcomes().size(), r.outcomes().toString());
        assertEquals(lines(sdk), lines(r.outcomes()));
        assertEquals(odd.resolve("pipe.txt") + ": is not a regular file (a pipe, socket or device), expected a text file",
                r.outcomes().get(1).error().orElseThrow());
        assertEquals(odd.resolve("self.txt") + ": no such file (a symbolic link loop)",
                r.outcomes().get(2).error().orElseThrow());
    }

    @Test
    void aShippedModelThatIsNotTheDriversStopsTheJobWithoutRetries() throws Exception {
        if (scala.jdk.javaapi.CollectionConverters.asJava(spark.sparkContext().listFiles()).stream()
                .noneMatch(u -> u.endsWith("/model.onnx"))) {
            spark.sparkContext().addFile(model.toString());
        }
        // The driver's model has another SHA-256 than the file the executors were shipped.
        SparkScoreJob.TaskSpec task = new SparkScoreJob.TaskSpec(new ShippedModel("f".repeat(64), "model.onnx"),
                dev.charlm.contract.Preprocessing.D2L, ScoringOptions.defaults(), java.util.Map.of());
        Path text = Files.writeString(dir.resolve("one.txt"), "the time traveller smiled round at us");
        SparkScoreJob.Work work = new SparkScoreJob.Work(new dev.charlm.sdk.TextSegment(0, 0, 0, Files.size(text), 0),
                text.toUri().toString(), Files.size(text));
        List<SparkScoreJob.Scored> scored = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(
                spark.sparkContext()).parallelize(List.of(work), 1).mapPartitions(new SparkScoreJob.ScoreSegments(task))
                .collect();
        assertEquals(1, scored.size());
        assertTrue(scored.get(0).fatal().startsWith("the model this executor received cannot be used: "),
                scored.get(0).fatal());
        assertTrue(scored.get(0).fatal().contains("not the driver's model " + "f".repeat(64)), scored.get(0).fatal());
    }

    @Test
    void theInt8TwinScoresOnSparkAsInTheSdk() throws Exception {
        Path int8 = dir.resolve("default-int8.onnx");
        try (InputStream in = CharModel.class.getResourceAsStream(
                dev.charlm.sdk.BuiltInModel.DEFAULT.resource(dev.charlm.contract.Precision.INT8))) {
            Files.copy(in, int8);
        }
        Path text = data.resolve("war_of_the_worlds.txt");
        SparkScoreJob.Result r = SparkScoreJob.run(spark, new SparkScoreJob.Spec(List.of(text.toString()), int8,
                ScoringOptions.defaults()));
        try (CharModel m = CharModel.load(int8, ModelOptions.forScoring())) {
            ScoreReport expected = m.newScorer().score(text);
            ScoreReport actual = r.outcomes().get(0).report().orElseThrow();
            assertEquals(expected.predictions(), actual.predictions());
            // Not bit for bit, as fp32 is: ONNX Runtime's int8 LSTM quantizes its inputs with one scale per
            // call, over every row of the batch, so a segment's sums depend a little on the segments beside
            // it, and Spark's partitions pack other neighbours than the sdk's rows (measured: 1.4e-5).
            assertEquals(expected.perplexity(), actual.perplexity(), expected.perplexity() * 1e-4);
        }
    }

    @Test
    void aMissingModelOrABadOptionIsOneLineAndExit2BeforeSparkStarts() {
        String[][] cases = {
            {"--model", dir.resolve("nope.onnx").toString(), "x.txt"},
            {"--segment", "0", "x.txt"},
            {"--format", "csv", "x.txt"},
            {"--exact", "--warmup", "5", "x.txt"},
            {},
        };
        String[] expected = {
            "charlm spark-score: error: " + dir.resolve("nope.onnx") + ": no such model file",
            "charlm spark-score: error: --segment must be a positive number of bytes, got 0",
            "charlm spark-score: error: --format must be json or parquet, got csv",
            "charlm spark-score: error: --exact scores each text whole",
            "charlm spark-score: error: Missing required parameter: 'PATH'",
        };
        for (int i = 0; i < cases.length; i++) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = SparkScore.execute(cases[i], new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String said = err.toString(StandardCharsets.UTF_8).strip();
            assertEquals(2, status, said);
            assertEquals(1, said.lines().count(), said);
            assertTrue(said.startsWith(expected[i]), said);
        }
    }
}
