package dev.charlm.spark;

import dev.charlm.contract.Json;
import dev.charlm.sdk.RecordParser;
import dev.charlm.sdk.RecordScore;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.sdk.TextRecord;
import dev.charlm.contract.InvalidTextException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code spark-score --records}: every line (or JSON line's text) of the input files scored as a
 * document of its own, on Spark. Files are read by Spark's text source, split so that every core
 * gets several parts of even one large file; line numbers come from the lines' order in each
 * file; each line becomes a record by the sdk's rule ({@link RecordParser}, as {@code charlm
 * score --records} reads it); the records are scored by {@link PerplexityTransformer}, packed per
 * partition. The result has one row per record, ordered by file and line.
 */
final class SparkRecordsJob {

    /** A file's lines, numbered. */
    static final StructType LINES = new StructType().add("file_index", DataTypes.IntegerType, false)
            .add("file", DataTypes.StringType, false).add("line", DataTypes.LongType, false)
            .add("value", DataTypes.StringType, true);

    /** The records, before scoring: the text, or why there is none. */
    static final StructType RECORDS = new StructType().add("file_index", DataTypes.IntegerType, false)
            .add("file", DataTypes.StringType, false).add("line", DataTypes.LongType, false)
            .add("id", DataTypes.StringType, true).add("text", DataTypes.StringType, true)
            .add("parse_error", DataTypes.StringType, true);

    private SparkRecordsJob() {}

    /**
     * Scores the records of {@code inputs}.
     *
     * @return one row per record (file, line, id as JSON text, the figures, error), ordered by
     *     file and line; a file that cannot be read is one row with line 0 and its error
     */
    static Dataset<Row> run(SparkSession spark, List<String> inputs, Path model, RecordParser parser,
            ScoringOptions scoring) throws SparkScoreJob.JobException, IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<SparkScoreJob.InputFile> files = SparkScoreJob.list(inputs, jsc.hadoopConfiguration());
        long bytes = files.stream().mapToLong(SparkScoreJob.InputFile::size).sum();
        // Parts of at most a quarter of a core's share, so that one large file is scored by every core.
        long part = Math.max(1 << 20, bytes / (4L * jsc.defaultParallelism()));
        String before = spark.conf().get("spark.sql.files.maxPartitionBytes", null);
        spark.conf().set("spark.sql.files.maxPartitionBytes", part);
        try {
            List<Row> unreadable = new ArrayList<>();
            JavaRDD<Row> lines = null;
            for (SparkScoreJob.InputFile f : files) {
                if (f.problem() != null) {
                    unreadable.add(RowFactory.create(f.index(), f.name(), 0L, null, null, f.problem()));
                    continue;
                }
                int index = f.index();
                String name = f.name();
                JavaRDD<Row> numbered = spark.read().text(f.uri()).javaRDD().zipWithIndex()
                        .map(t -> RowFactory.create(index, name, t._2() + 1, t._1().getString(0)));
                lines = lines == null ? numbered : lines.union(numbered);
            }
            Dataset<Row> records = spark.createDataFrame(
                    lines == null ? jsc.emptyRDD() : lines.mapPartitions(new Parse(parser)), RECORDS);
            if (!unreadable.isEmpty()) {
                records = records.union(spark.createDataFrame(unreadable, RECORDS));
            }
            PerplexityTransformer scorer = new PerplexityTransformer().setInputCol("text")
                    .setModelPath(model.toString()).withScoring(scoring);
            Dataset<Row> scored = scorer.transform(records)
                    .withColumn("error", functions.coalesce(functions.col("parse_error"), functions.col("error")))
                    .orderBy("file_index", "line")
                    .select("file", "line", "id", "perplexity", "bits_per_char", "characters", "predictions", "unknown",
                            "nll_nats", "error");
            return scored;
        } finally {
            if (before == null) {
                spark.conf().unset("spark.sql.files.maxPartitionBytes");
            } else {
                spark.conf().set("spark.sql.files.maxPartitionBytes", before);
            }
        }
    }

    /** A row of the result as the sdk's record score, to print as {@code charlm score --records} does. */
    static RecordScore score(Row r, ScoringOptions scoring) {
        String file = r.getString(0);
        long line = r.getLong(1);
        Object id = r.isNullAt(2) ? null : Json.parse(r.getString(2));
        String name = line > 0 ? file + ":" + line : file;
        ScoreOutcome outcome;
        if (r.isNullAt(9)) {
            boolean segmented = scoring.mode() == dev.charlm.sdk.ScoringMode.SEGMENTED;
            outcome = new ScoreOutcome(name, Optional.of(new ScoreReport(name, r.getLong(5), r.getLong(6), r.getLong(7), r.getDouble(8),
                    scoring.mode(), segmented ? scoring.segmentBytes() : 0, segmented ? scoring.warmupBytes() : 0, 0)),
                    Optional.empty());
        } else {
            outcome = new ScoreOutcome(name, Optional.empty(), Optional.of(new InvalidTextException(name, r.getString(9))));
        }
        return new RecordScore(file, line, id, outcome);
    }

    /** Lines into records by the sdk's rule; blank lines are not records. */
    static final class Parse implements FlatMapFunction<Iterator<Row>, Row> {
        private static final long serialVersionUID = 1L;
        private final RecordParser parser;

        Parse(RecordParser parser) {
            this.parser = parser;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> lines) {
            // Lazily: a partition can be a large part of a large file.
            return new Iterator<>() {
                private Row next;

                @Override
                public boolean hasNext() {
                    while (next == null && lines.hasNext()) {
                        next = record(lines.next());
                    }
                    return next != null;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    Row r = next;
                    next = null;
                    return r;
                }
            };
        }

        private Row record(Row l) {
            String value = l.isNullAt(3) ? "" : l.getString(3);
            long line = l.getLong(2);
            if (RecordParser.blank(value) || (line == 1 && value.equals("\uFEFF"))) {
                return null;
            }
            TextRecord r = parser.parse(l.getString(1), line, value);
            return RowFactory.create(l.getInt(0), l.getString(1), line, r.id().map(Json::write).orElse(null),
                    r.text().orElse(null), r.failure().map(InvalidTextException::problem).orElse(null));
        }
    }
}
