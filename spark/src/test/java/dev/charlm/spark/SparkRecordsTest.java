package dev.charlm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.RecordFormat;
import dev.charlm.sdk.RecordParser;
import dev.charlm.sdk.RecordReader;
import dev.charlm.sdk.RecordScore;
import dev.charlm.sdk.RecordScores;
import dev.charlm.sdk.ScoreReport;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Records on a real local[2] Spark: the transformer on a DataFrame, in a saved pipeline, and spark-score --records. */
@Timeout(300)
class SparkRecordsTest {

    @TempDir static Path dir;
    static SparkSession spark;
    static Path model;
    static CharModel sdk;
    static String book;
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("charlm-records-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4").getOrCreate();
        model = dir.resolve("records-model.onnx");
        try (InputStream in = CharModel.class.getResourceAsStream(CharModel.DEFAULT_MODEL_RESOURCE)) {
            Files.copy(in, model);
        }
        sdk = CharModel.load(model, ModelOptions.forScoring());
        book = Files.readString(Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt"));
    }

    @AfterAll
    static void stop() {
        sdk.close();
        spark.stop();
    }

    static Dataset<Row> documents() {
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("body", DataTypes.StringType, true);
        List<Row> rows = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 60; i++) {
            int from = random.nextInt(book.length() - 5000);
            rows.add(RowFactory.create(i, book.substring(from, from + 30 + random.nextInt(4000))));
        }
        rows.set(5, RowFactory.create(5, null));
        rows.set(9, RowFactory.create(9, ""));
        rows.set(13, RowFactory.create(13, "x"));
        rows.set(17, RowFactory.create(17, "caf\u00e9 cr\u00e8me na\u00efve \ud83d\ude00"));
        return spark.createDataFrame(rows, schema).repartition(3);
    }

    @Test
    void theTransformerAddsEachValuesScoreAsTheSdkGivesIt() {
        Dataset<Row> docs = documents();
        List<Row> scored = new PerplexityTransformer().setInputCol("body").setOutputPrefix("lm_")
                .setModelPath(model.toString()).transform(docs).orderBy("id").collectAsList();
        assertEquals(60, scored.size());
        List<String> columns = Arrays.asList(new PerplexityTransformer().setInputCol("body").setOutputPrefix("lm_")
                .transformSchema(docs.schema()).fieldNames());
        assertEquals(List.of("id", "body", "lm_perplexity", "lm_bits_per_char", "lm_characters", "lm_predictions",
                "lm_unknown", "lm_nll_nats", "lm_error"), columns);
        for (Row r : scored) {
            int id = r.getInt(0);
            if (id == 5) {
                assertEquals("is null", r.getString(8));
                assertNull(r.get(2));
            } else if (id == 9) {
                assertEquals("is empty", r.getString(8));
            } else if (id == 13) {
                assertTrue(r.getString(8).contains("at least 2 are needed"), r.getString(8));
            } else {
                ScoreReport expected = sdk.newScorer().score("x", r.getString(1));
                assertNull(r.get(8), r.getString(8));
                assertEquals(expected.perplexity(), r.getDouble(2), expected.perplexity() * 1e-9, "row " + id);
                assertEquals(expected.predictions(), r.getLong(5));
            }
        }
        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                () -> new PerplexityTransformer().setInputCol("id").transform(docs));
        assertTrue(wrongType.getMessage().contains("column 'id' is int, not a string"), wrongType.getMessage());
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> new PerplexityTransformer().setInputCol("body").transform(docs.withColumnRenamed("id", "error")));
        assertTrue(clash.getMessage().contains("already has a column 'error'"), clash.getMessage());
    }

    /** A built-in model's name picks it inside the executors; a path that is neither a file nor a name is refused. */
    @Test
    void theTransformerScoresWithTheLargeBuiltInModelByName() throws Exception {
        List<Row> scored = new PerplexityTransformer().setInputCol("body").setModelPath("large").transform(documents())
                .orderBy("id").collectAsList();
        try (CharModel large = CharModel.loadBuiltIn(dev.charlm.sdk.BuiltInModel.LARGE)) {
            for (Row r : scored) {
                if (r.isNullAt(8)) {
                    ScoreReport expected = large.newScorer().score("x", r.getString(1));
                    ScoreReport small = sdk.newScorer().score("x", r.getString(1));
                    assertEquals(expected.perplexity(), r.getDouble(2), expected.perplexity() * 1e-9, "row " + r.getInt(0));
                    assertTrue(Math.abs(small.perplexity() - r.getDouble(2)) > 1e-6, "scored by the default model");
                }
            }
        }
        RuntimeException missing = assertThrows(RuntimeException.class,
                () -> new PerplexityTransformer().setInputCol("body").setModelPath(dir.resolve("nope.onnx").toString())
                        .transform(documents()));
        assertTrue(String.valueOf(missing.getMessage()).contains("nope.onnx"), missing.getMessage());
    }

    @Test
    void aPipelineWithTheTransformerIsSavedAndLoaded() throws Exception {
        Dataset<Row> docs = documents();
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new PerplexityTransformer().setInputCol("body").setOutputPrefix("lm_").setModelPath(model.toString())
                .setMode("exact")});
        PipelineModel fitted = pipeline.fit(docs);
        Path saved = dir.resolve("pipeline");
        fitted.write().save(saved.toString());
        PipelineModel loaded = PipelineModel.load(saved.toString());
        PerplexityTransformer stage = (PerplexityTransformer) loaded.stages()[0];
        assertEquals("body", stage.getInputCol());
        assertEquals("exact", stage.getMode());
        assertEquals(model.toString(), stage.getModelPath());
        List<Row> before = fitted.transform(docs).orderBy("id").select("id", "lm_perplexity", "lm_error").collectAsList();
        List<Row> after = loaded.transform(docs).orderBy("id").select("id", "lm_perplexity", "lm_error").collectAsList();
        assertEquals(before, after);
        // And on its own, as a stage saved by itself.
        stage.write().save(dir.resolve("stage").toString());
        assertEquals("lm_", PerplexityTransformer.load(dir.resolve("stage").toString()).getOutputPrefix());
    }

    /**
     * A JSON-lines file of several Spark partitions, with what corpora hold (a byte-order mark,
     * CRLF, blank lines, a line that is not JSON, a number for text, non-ASCII), scored by
     * spark-score --records: the same lines, in the same order, with the same figures as the
     * command line's reader and scorer give (1e-9).
     */
    @Test
    void sparkScoreRecordsPrintsWhatTheCommandLinePrints() throws Exception {
        StringBuilder file = new StringBuilder("\uFEFF");
        Random random = new Random(9);
        int n = 0;
        while (file.length() < 1_500_000) { // two parts of the 1 MiB minimum
            n++;
            if (n % 97 == 0) {
                file.append("{\"id\": ").append(n).append(", \"text\": 5}\r\n");
            } else if (n % 89 == 0) {
                file.append("not json\n\n");
            } else {
                int from = random.nextInt(book.length() - 3000);
                String text = book.substring(from, from + 20 + random.nextInt(2000)) + (n % 7 == 0 ? " caf\u00e9" : "");
                file.append(json.writeValueAsString(java.util.Map.of("id", n, "text", text))).append(n % 3 == 0 ? "\r\n" : "\n");
            }
        }
        Path corpus = Files.writeString(dir.resolve("corpus.jsonl"), file);

        List<RecordScore> expected = new ArrayList<>();
        try (RecordReader reader = RecordReader.open(corpus, new RecordParser(RecordFormat.JSONL, "text", "id"));
                RecordScores scores = sdk.newScorer().scoreRecords(reader, null)) {
            scores.forEachRemaining(expected::add);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = SparkScore.execute(new String[] {"--master", "local[2]", "--model", model.toString(), "--records",
            "jsonl", "--id-field", "id", corpus.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status, err.toString(StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(expected.size() + 2, lines.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonNode want = json.readTree(expected.get(i).toJson());
            JsonNode got = json.readTree(lines.get(i));
            assertEquals(want.get("line"), got.get("line"));
            assertEquals(want.get("id"), got.get("id"));
            assertEquals(want.get("error"), got.get("error"), lines.get(i));
            if (want.has("perplexity")) {
                double p = want.get("perplexity").asDouble();
                assertEquals(p, got.get("perplexity").asDouble(), p * 1e-9, lines.get(i));
                assertEquals(want.get("predictions"), got.get("predictions"));
            }
        }
        assertTrue(lines.get(lines.size() - 1).startsWith("{\"total\":true,\"files\":1,\"records\":" + expected.size()),
                lines.get(lines.size() - 1));
        assertTrue(spark.read().text(corpus.toString()).javaRDD().getNumPartitions() == 1,
                "the session's own split is left as it was");
    }

    @Test
    void withoutAModelPathTheBuiltInModelScores() {
        Dataset<Row> one = spark.createDataFrame(List.of(RowFactory.create("the time traveller smiled")),
                new StructType().add("text", DataTypes.StringType));
        Row r = new PerplexityTransformer().setInputCol("text").transform(one).first();
        assertEquals(sdk.newScorer().score("x", "the time traveller smiled").perplexity(), r.getDouble(1), 1e-9);
    }
}
