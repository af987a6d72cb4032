package dev.charlm.spark;

import dev.charlm.contract.InputPaths;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.PerplexityScorer;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.sdk.SegmentScore;
import dev.charlm.sdk.TextSegment;
import dev.charlm.sdk.TextSource;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a corpus on Spark with the sdk inside the executors. The driver lists the input files
 * (sizes only, never contents), plans their segments by the sdk's own rule ({@link
 * ScoringOptions#plan}) and ships the model file with the job; each task scores its segments
 * packed into batch rows, reading only their byte ranges ({@link PerplexityScorer#scoreSegments});
 * each file's segment scores are added up in segment order by the sdk's rule ({@link
 * PerplexityScorer#combine}), so the figures are the sdk scorer's own. What is Spark's here is
 * only the listing through Hadoop's file systems, shipping the model, and moving the sdk's
 * serializable {@link TextSegment}s and {@link SegmentScore}s between driver and executors.
 */
public final class SparkScoreJob {

    /** The DataFrame the job produces, one row per input file. */
    public static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("characters", DataTypes.LongType, true)
            .add("predictions", DataTypes.LongType, true)
            .add("unknown", DataTypes.LongType, true)
            .add("nll_nats", DataTypes.DoubleType, true)
            .add("bits_per_char", DataTypes.DoubleType, true)
            .add("perplexity", DataTypes.DoubleType, true)
            .add("error", DataTypes.StringType, true);

    /**
     * What to score and how.
     *
     * @param inputs files, directories (their .txt files, recursively) and globs, as Hadoop paths
     * @param model the model file, shipped to the executors
     * @param scoring segmentation (mode, segment and warm-up bytes) and batching
     */
    public record Spec(List<String> inputs, Path model, ScoringOptions scoring) {}

    /**
     * What a run produced.
     *
     * @param results one row per file ({@link #SCHEMA}), input order
     * @param outcomes the same as the sdk's outcomes, input order
     */
    public record Result(Dataset<Row> results, List<ScoreOutcome> outcomes) {}

    /**
     * One input file as the driver listed it: {@code uri} to read it by, {@code name} to report it
     * by (as the user wrote it: a local path stays a path), {@code problem} why it cannot be read.
     */
    record InputFile(int index, String uri, String name, long size, String problem) implements Serializable {}

    /** A segment to score, with where its file is; the segment's text is the file's index. */
    record Work(TextSegment segment, String uri, long size) implements Serializable {}

    /**
     * A segment's score as it travels back; {@code fatal} says why no segment of the job can be
     * scored (the shipped model is not the driver's), which a retry cannot change, so it is
     * reported rather than thrown for Spark to retry.
     */
    record Scored(SegmentScore score, String fatal) implements Serializable {}

    /** A file's combined score (or why it failed) as it travels back to the driver. */
    record Combined(int file, ScoreReport report, String problem, String fatal) implements Serializable {}

    /** What the executors need to know, shipped with every task. */
    record TaskSpec(ShippedModel model, Preprocessing preprocessing, ScoringOptions scoring,
            Map<String, String> hadoop) implements Serializable {

        Configuration hadoopConf() {
            Configuration c = new Configuration(false);
            hadoop.forEach(c::set);
            return c;
        }
    }

    private SparkScoreJob() {}

    /**
     * Lists the inputs, checks and ships the model, and scores everything.
     *
     * @throws JobException for an input that matches nothing, a model that is not one, or a
     *     model the executors received that is not the driver's
     */
    public static Result run(SparkSession spark, Spec spec) throws JobException, IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ShippedModel shipped = ShippedModel.ship(spark, spec.model());
        CharModel model;
        try {
            model = ModelCache.get(shipped.sha256(), spec.model(), spark.sparkContext().getConf().getInt("spark.task.cpus", 1));
        } catch (dev.charlm.sdk.InvalidModelException e) {
            throw new JobException(e.getMessage()); // ship() has loaded it once already
        }
        List<InputFile> files = list(spec.inputs(), jsc.hadoopConfiguration());
        Map<String, String> hadoop = new HashMap<>();
        jsc.hadoopConfiguration().forEach(e -> hadoop.put(e.getKey(), e.getValue()));
        ScoringOptions options = spec.scoring();
        TaskSpec task = new TaskSpec(shipped, model.info().preprocessing(), options, hadoop);

        ScoreOutcome[] outcomes = new ScoreOutcome[files.size()];
        List<Work> work = new ArrayList<>();
        Map<Integer, String> names = new HashMap<>();
        for (InputFile f : files) {
            if (f.problem() != null) {
                outcomes[f.index()] = failed(f.name(), f.problem());
            } else if (f.size() == 0) {
                outcomes[f.index()] = failed(f.name(), "file is empty");
            } else {
                names.put(f.index(), f.name());
                for (TextSegment s : options.plan(f.index(), OptionalLong.of(f.size()))) {
                    work.add(new Work(s, f.uri(), f.size()));
                }
            }
        }
        if (!work.isEmpty()) {
            // Enough partitions that every core gets several, few enough that each packs its rows.
            int partitions = (int) Math.max(1, Math.min(work.size(), Math.max(4L * jsc.defaultParallelism(),
                    work.size() / (4L * options.rows()))));
            List<Combined> combined = jsc.parallelize(work, partitions)
                    .mapPartitions(new ScoreSegments(task))
                    .groupBy(s -> s.score().segment().text())
                    .map(new Combine(task, names))
                    .collect();
            for (Combined c : combined) {
                if (c.fatal() != null) {
                    throw new JobException(c.fatal());
                }
                outcomes[c.file()] = c.report() != null
                        ? new ScoreOutcome(c.report().name(), Optional.of(c.report()), Optional.empty())
                        : failed(names.get(c.file()), c.problem());
            }
        }
        List<Row> rows = new ArrayList<>();
        for (ScoreOutcome o : outcomes) {
            rows.add(row(o));
        }
        return new Result(spark.createDataFrame(rows, SCHEMA), List.of(outcomes));
    }

    /** A failure the user can act on, told in one line: an input that matches nothing, a model that is not one. */
    public static final class JobException extends Exception implements dev.charlm.contract.UserMistake {
        private static final long serialVersionUID = 1L;

        public JobException(String message) {
            super(message);
        }
    }

    private static ScoreOutcome failed(String name, String problem) {
        return new ScoreOutcome(name, Optional.empty(), Optional.of(new InvalidTextException(name, problem)));
    }

    /**
     * The input files. A local path (no scheme, or {@code file:}) means what it means to {@code
     * charlm score} ({@link InputPaths}: the same walk, the same patterns, the same reasons a file
     * cannot be read); a path on another file system (hdfs:, s3a:) is listed through Hadoop: a
     * file is itself, a directory its .txt files recursively, a pattern its matches (none is an
     * error); a path that does not exist is a file that failed.
     */
    static List<InputFile> list(List<String> inputs, Configuration conf) throws JobException, IOException {
        List<InputFile> files = new ArrayList<>();
        for (String arg : inputs) {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(arg);
            String scheme = p.toUri().getScheme();
            if (scheme == null || scheme.equals("file")) {
                String local = scheme == null ? arg : p.toUri().getPath();
                List<Path> paths;
                try {
                    paths = InputPaths.expand(local);
                } catch (InvalidTextException e) {
                    throw new JobException(e.getMessage());
                }
                for (Path f : paths) {
                    long size = 0;
                    String problem = null;
                    try {
                        size = TextSource.of(f).size().orElseThrow();
                    } catch (InvalidTextException e) {
                        problem = e.problem();
                    }
                    files.add(new InputFile(files.size(), f.toAbsolutePath().toUri().toString(),
                            scheme == null ? f.toString() : f.toAbsolutePath().toUri().toString(), size, problem));
                }
                continue;
            }
            FileSystem fs = p.getFileSystem(conf);
            boolean glob = InputPaths.isGlob(arg);
            FileStatus[] matches = glob ? fs.globStatus(p) : fs.exists(p) ? new FileStatus[] {fs.getFileStatus(p)} : null;
            if (matches == null || matches.length == 0) {
                if (glob) {
                    throw new JobException(arg + ": matches no files");
                }
                files.add(new InputFile(files.size(), arg, arg, 0, "no such file"));
                continue;
            }
            java.util.Arrays.sort(matches);
            for (FileStatus s : matches) {
                if (!s.isDirectory()) {
                    files.add(new InputFile(files.size(), s.getPath().toString(), s.getPath().toString(), s.getLen(),
                            null));
                    continue;
                }
                List<LocatedFileStatus> txt = new ArrayList<>();
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(s.getPath(), true);
                while (it.hasNext()) {
                    LocatedFileStatus f = it.next();
                    if (f.getPath().getName().endsWith(".txt")) {
                        txt.add(f);
                    }
                }
                if (txt.isEmpty()) {
                    throw new JobException(arg + ": directory holds no .txt files");
                }
                txt.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
                for (LocatedFileStatus f : txt) {
                    files.add(new InputFile(files.size(), f.getPath().toString(), f.getPath().toString(), f.getLen(),
                            null));
                }
            }
        }
        return files;
    }

    /** Scores a partition's segments packed into batch rows, with this JVM's model. */
    static final class ScoreSegments implements org.apache.spark.api.java.function.FlatMapFunction<Iterator<Work>, Scored> {
        private static final long serialVersionUID = 1L;
        private final TaskSpec task;

        ScoreSegments(TaskSpec task) {
            this.task = task;
        }

        @Override
        public Iterator<Scored> call(Iterator<Work> partition) {
            List<Work> mine = new ArrayList<>();
            partition.forEachRemaining(mine::add);
            if (mine.isEmpty()) {
                return List.<Scored>of().iterator();
            }
            CharModel model;
            try {
                model = task.model().load();
            } catch (IOException | dev.charlm.sdk.InvalidModelException e) {
                // Every retry would find the same file: report it, so the driver stops the job at once.
                String fatal = "the model this executor received cannot be used: " + e.getMessage();
                List<Scored> out = new ArrayList<>(mine.size());
                for (Work w : mine) {
                    out.add(new Scored(new SegmentScore(w.segment(), 0, 0, 0, 0, Optional.empty()), fatal));
                }
                return out.iterator();
            }
            // The sdk numbers texts by their place in this partition's source list.
            Configuration conf = task.hadoopConf();
            Map<Integer, Integer> local = new LinkedHashMap<>();
            List<TextSource> sources = new ArrayList<>();
            List<TextSegment> segments = new ArrayList<>(mine.size());
            for (Work w : mine) {
                int text = local.computeIfAbsent(w.segment().text(), k -> {
                    sources.add(new HadoopTextSource(w.uri(), w.size(), conf));
                    return sources.size() - 1;
                });
                segments.add(w.segment().withText(text));
            }
            List<SegmentScore> scores = model.newScorer(task.scoring()).scoreSegments(sources, segments);
            List<Scored> out = new ArrayList<>(scores.size());
            for (int i = 0; i < scores.size(); i++) {
                SegmentScore s = scores.get(i);
                out.add(new Scored(new SegmentScore(mine.get(i).segment(), s.totalNll(), s.predictions(),
                        s.characters(), s.unknownCharacters(), s.failure()), null));
            }
            return out.iterator();
        }
    }

    /** Adds up one file's segments in order, by the sdk's rule. */
    static final class Combine implements org.apache.spark.api.java.function.Function<
            scala.Tuple2<Integer, Iterable<Scored>>, Combined> {
        private static final long serialVersionUID = 1L;
        private final TaskSpec task;
        private final Map<Integer, String> names;

        Combine(TaskSpec task, Map<Integer, String> names) {
            this.task = task;
            this.names = names;
        }

        @Override
        public Combined call(scala.Tuple2<Integer, Iterable<Scored>> group) {
            int file = group._1();
            List<SegmentScore> parts = new ArrayList<>();
            for (Scored s : group._2()) {
                if (s.fatal() != null) {
                    return new Combined(file, null, null, s.fatal());
                }
                parts.add(s.score());
            }
            ScoreOutcome o = PerplexityScorer.combine(names.get(file), parts, task.scoring(), task.preprocessing());
            return new Combined(file, o.report().orElse(null), o.failure().map(InvalidTextException::problem).orElse(null),
                    null);
        }
    }

    private static Row row(ScoreOutcome o) {
        if (o.report().isEmpty()) {
            return RowFactory.create(o.name(), null, null, null, null, null, null, o.error().orElseThrow());
        }
        ScoreReport r = o.report().get();
        return RowFactory.create(o.name(), r.characters(), r.predictions(), r.unknownCharacters(), r.totalNll(),
                r.bitsPerCharacter(), r.perplexity(), null);
    }
}
