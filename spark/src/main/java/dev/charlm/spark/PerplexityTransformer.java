package dev.charlm.spark;

import dev.charlm.sdk.BuiltInModel;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.InvalidModelException;
import dev.charlm.sdk.RecordScore;
import dev.charlm.sdk.RecordScores;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.sdk.TextRecord;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML stage that adds the perplexity of a string column to any DataFrame, each value
 * scored as a text of its own (a document) by the sdk inside the executors: each partition's
 * values are packed into the batch rows ({@link dev.charlm.sdk.PerplexityScorer#scoreRecords})
 * and the model is loaded once per executor JVM. Output columns (with {@code outputPrefix}
 * before each name): {@code perplexity}, {@code bits_per_char}, {@code characters}, {@code
 * predictions}, {@code unknown}, {@code nll_nats}, and {@code error}, which says why a value has
 * no score (null, empty, nothing left after preprocessing, one character) and is null otherwise.
 *
 * <pre>
 * PerplexityTransformer scorer = new PerplexityTransformer().setInputCol("text").setModelPath("model.onnx");
 * Dataset&lt;Row&gt; scored = scorer.transform(documents);
 * </pre>
 *
 * <p>Saved and loaded with a {@link org.apache.spark.ml.Pipeline} ({@link DefaultParamsWritable});
 * the model file is named, not copied: it must be at {@code modelPath} when the loaded stage runs.
 * Without {@code modelPath} the sdk's built-in model scores (it is inside the jar executors run);
 * a built-in model's name ({@code large}) picks that one, unless a file of that name exists.
 */
public final class PerplexityTransformer extends Transformer implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    /** The columns added, in order, without the prefix. */
    public static final String[] OUTPUTS = {"perplexity", "bits_per_char", "characters", "predictions", "unknown",
        "nll_nats", "error"};

    private final String uid;
    // Made in the constructor, after the uid: a Param records its parent's uid when it is made.
    private final Param<String> inputCol;
    private final Param<String> outputPrefix;
    private final Param<String> modelPath;
    private final Param<String> mode;
    /** Segment and batch sizes other than the sdk's defaults (spark-score's options); not saved. */
    private ScoringOptions scoring;

    public PerplexityTransformer() {
        this(Identifiable$.MODULE$.randomUID("perplexity"));
    }

    /** For loading (the uid saved with the stage). */
    public PerplexityTransformer(String uid) {
        this.uid = uid;
        this.inputCol = new Param<>(this, "inputCol", "the string column to score");
        this.outputPrefix = new Param<>(this, "outputPrefix",
                "put before the names of the columns added (perplexity, bits_per_char, ...)");
        this.modelPath = new Param<>(this, "modelPath",
                "a model written by charlm export, reachable from the driver, or a built-in model's name (default,"
                        + " large); empty: the built-in default");
        this.mode = new Param<>(this, "mode", "segmented (the default) or exact");
        setDefault(outputPrefix, "");
        setDefault(modelPath, "");
        setDefault(mode, "segmented");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputPrefix() {
        return outputPrefix;
    }

    public Param<String> modelPath() {
        return modelPath;
    }

    public Param<String> mode() {
        return mode;
    }

    public PerplexityTransformer setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public PerplexityTransformer setOutputPrefix(String value) {
        set(outputPrefix, value);
        return this;
    }

    public PerplexityTransformer setModelPath(String value) {
        set(modelPath, value);
        return this;
    }

    public PerplexityTransformer setMode(String value) {
        set(mode, value);
        return this;
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getOutputPrefix() {
        return getOrDefault(outputPrefix);
    }

    public String getModelPath() {
        return getOrDefault(modelPath);
    }

    public String getMode() {
        return getOrDefault(mode);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(inputCol)) {
            throw new IllegalArgumentException("PerplexityTransformer: set the input column (setInputCol)");
        }
        String in = getInputCol();
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("PerplexityTransformer: no column '" + in + "' (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        if (!schema.apply(in).dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("PerplexityTransformer: column '" + in + "' is "
                    + schema.apply(in).dataType().simpleString() + ", not a string");
        }
        scoringMode();
        StructType out = schema;
        for (String name : OUTPUTS) {
            String column = getOutputPrefix() + name;
            if (Arrays.asList(schema.fieldNames()).contains(column)) {
                throw new IllegalArgumentException("PerplexityTransformer: the input already has a column '" + column
                        + "'; set an output prefix (setOutputPrefix)");
            }
            out = out.add(new StructField(column, name.equals("error") ? DataTypes.StringType
                    : name.equals("perplexity") || name.equals("bits_per_char") || name.equals("nll_nats")
                            ? DataTypes.DoubleType : DataTypes.LongType, true, org.apache.spark.sql.types.Metadata.empty()));
        }
        return out;
    }

    private ScoringMode scoringMode() {
        return switch (getMode()) {
            case "segmented" -> ScoringMode.SEGMENTED;
            case "exact" -> ScoringMode.EXACT;
            default -> throw new IllegalArgumentException("PerplexityTransformer: mode must be segmented or exact, got '"
                    + getMode() + "'");
        };
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        ModelSource source;
        try {
            source = ModelSource.named(dataset.sparkSession(), getModelPath());
        } catch (SparkScoreJob.JobException e) {
            throw new IllegalArgumentException("PerplexityTransformer: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ScoringOptions options = scoring != null ? scoring.toBuilder().mode(scoringMode()).build()
                : ScoringOptions.builder().mode(scoringMode()).build();
        int column = dataset.schema().fieldIndex(getInputCol());
        return dataset.toDF().mapPartitions(new ScoreValues(source, options, column, getInputCol()), Encoders.row(out));
    }

    /** Scores with these segment and batch sizes (and their mode); for spark-score, which takes them as options. */
    PerplexityTransformer withScoring(ScoringOptions options) {
        this.scoring = options;
        setMode(options.mode() == ScoringMode.EXACT ? "exact" : "segmented");
        return this;
    }

    @Override
    public PerplexityTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<PerplexityTransformer> read() {
        return new DefaultParamsReader<>();
    }

    public static PerplexityTransformer load(String path) {
        return read().load(path);
    }

    /** Where executors get the model: a built-in one, or a shipped file (one of the two is null). */
    record ModelSource(ShippedModel file, BuiltInModel builtIn) implements Serializable {

        /** {@code path} as the modelPath param reads: empty, a file (which wins), or a built-in model's name. */
        static ModelSource named(SparkSession spark, String path) throws IOException, SparkScoreJob.JobException {
            if (path.isEmpty()) {
                return new ModelSource(null, BuiltInModel.DEFAULT);
            }
            Optional<BuiltInModel> builtIn = BuiltInModel.namedUnlessFile(path);
            return builtIn.isPresent() ? new ModelSource(null, builtIn.get())
                    : new ModelSource(ShippedModel.ship(spark, Path.of(path)), null);
        }

        CharModel load() throws IOException, InvalidModelException {
            return file == null ? ModelCache.builtIn(builtIn) : file.load();
        }
    }

    /** One partition: its values as records, scored packed, each row with its scores appended in order. */
    static final class ScoreValues implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final ModelSource source;
        private final ScoringOptions options;
        private final int column;
        private final String name;

        ScoreValues(ModelSource source, ScoringOptions options, int column, String name) {
            this.source = source;
            this.options = options;
            this.column = column;
            this.name = name;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) throws Exception {
            CharModel model = source.load();
            // Rows wait here until their score is out: at most the records the scorer reads ahead.
            Deque<Row> waiting = new ArrayDeque<>();
            Iterator<TextRecord> records = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public TextRecord next() {
                    Row r = rows.next();
                    waiting.add(r);
                    return r.isNullAt(column) ? TextRecord.invalid(name, 0, null, "is null")
                            : TextRecord.of(name, 0, null, r.getString(column));
                }
            };
            RecordScores scores = model.newScorer(options).scoreRecords(records, null);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    boolean more = scores.hasNext();
                    if (!more) {
                        scores.close();
                    }
                    return more;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return withScore(waiting.poll(), scores.next());
                }
            };
        }

        private static Row withScore(Row in, RecordScore s) {
            Object[] values = new Object[in.size() + OUTPUTS.length];
            for (int i = 0; i < in.size(); i++) {
                values[i] = in.get(i);
            }
            int at = in.size();
            if (s.report().isPresent()) {
                ScoreReport r = s.report().get();
                values[at] = r.perplexity();
                values[at + 1] = r.bitsPerCharacter();
                values[at + 2] = r.characters();
                values[at + 3] = r.predictions();
                values[at + 4] = r.unknownCharacters();
                values[at + 5] = r.totalNll();
            } else {
                values[at + 6] = s.outcome().failure().orElseThrow().problem();
            }
            return RowFactory.create(values);
        }
    }
}
