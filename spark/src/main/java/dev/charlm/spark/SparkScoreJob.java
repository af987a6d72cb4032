package dev.charlm.spark;

import dev.charlm.contract.InputPaths;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.PerplexityScorer;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringMode;
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
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a corpus on Spark with the sdk inside the executors. The driver lists the input files
 * through Hadoop's file systems (sizes only, never contents) and ships the model file with the
 * job; tasks plan each file's segments by the sdk's rule ({@link TextSegment#plan}), the
 * segments are spread over the partitions, each task scores its segments packed into batch
 * rows, reading only their byte ranges, and the segment sums are added up per file in segment
 * order ({@link PerplexityScorer#combine}), so the figures are the sdk scorer's own.
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

    /** A mistake in the job's input: one line for the user. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    /**
     * One input file as the driver listed it: {@code uri} to read it by, {@code name} to report it
     * by (as the user wrote it: a local path stays a path), {@code problem} why it cannot be read.
     */
    record InputFile(int index, String uri, String name, long size, String problem) implements Serializable {}

    /** One segment to score. */
    record Segment(int file, String uri, long size, int index, long start, long end, long warmupStart)
            implements Serializable {}

    /**
     * A segment's sums, or its failure, as it travels back from an executor; {@code fatal} says
     * why no segment of the job can be scored (the shipped model is not the driver's), which a
     * retry cannot change, so it is reported rather than thrown for Spark to retry.
     */
    record SegmentSums(int file, int index, long start, long end, long warmupStart, double nll, long predictions,
            long characters, long unknown, String problem, long problemOffset, String fatal) implements Serializable {}

    /** A file's outcome as it travels back to the driver; {@code problem} says why it failed, if it did. */
    record FileSums(int file, String path, long characters, long predictions, long unknown, double nll, int segments,
            String problem, String fatal) implements Serializable {}

    /** What the executors need to know, shipped with every task. */
    record TaskSpec(String modelSha256, String modelFileName, String preprocessing, long segmentBytes,
            long warmupBytes, boolean exact, int rows, int charactersPerCall, Map<String, String> hadoop)
            implements Serializable {

        ScoringOptions scoring() {
            ScoringOptions.Builder b = ScoringOptions.builder().rows(rows).charactersPerCall(charactersPerCall);
            return exact ? b.mode(ScoringMode.EXACT).build() : b.segmentBytes(segmentBytes).warmupBytes(warmupBytes).build();
        }

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
     * @throws UsageException for an input that matches nothing, or a model that is not one
     */
    public static Result run(SparkSession spark, Spec spec) throws UsageException, IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int cpus = spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
        requireFile(spec.model());
        String sha = ModelCache.sha256(spec.model());
        CharModel model = checkModel(spec.model(), sha, cpus);
        List<InputFile> files = list(spec.inputs(), jsc.hadoopConfiguration());
        // A context ships a file once and warns when it is added again: by a second job in one session,
        // or by spark-submit --files, which lists it under the driver's file server, not its file: URI.
        // Executors find it by name; they check its SHA-256 against the driver's before loading it.
        String modelName = spec.model().getFileName().toString();
        boolean shipped = scala.jdk.javaapi.CollectionConverters.asJava(spark.sparkContext().listFiles()).stream()
                .anyMatch(uri -> uri.endsWith("/" + modelName));
        if (!shipped) {
            jsc.addFile(spec.model().toAbsolutePath().toString());
        }
        Map<String, String> hadoop = new HashMap<>();
        jsc.hadoopConfiguration().forEach(e -> hadoop.put(e.getKey(), e.getValue()));
        ScoringOptions o = spec.scoring();
        TaskSpec task = new TaskSpec(sha, spec.model().getFileName().toString(), model.info().preprocessing().id(),
                o.segmentBytes(), o.warmupBytes(), o.mode() == ScoringMode.EXACT, o.rows(), o.charactersPerCall(), hadoop);

        List<InputFile> readable = new ArrayList<>();
        List<FileSums> results = new ArrayList<>();
        long segments = 0;
        for (InputFile f : files) {
            if (f.problem() != null) {
                results.add(new FileSums(f.index(), f.name(), 0, 0, 0, 0, 0, f.problem(), null));
            } else if (f.size() == 0) {
                results.add(new FileSums(f.index(), f.name(), 0, 0, 0, 0, 0, "file is empty", null));
            } else {
                readable.add(f);
                segments += task.exact() ? 1 : (f.size() + o.segmentBytes() - 1) / o.segmentBytes();
            }
        }
        if (!readable.isEmpty()) {
            // Enough partitions that every core gets several, few enough that each packs its rows.
            int partitions = (int) Math.max(1, Math.min(segments, Math.max(4L * jsc.defaultParallelism(),
                    segments / (4L * o.rows()))));
            JavaRDD<Segment> planned = jsc.parallelize(readable, Math.min(readable.size(), partitions))
                    .flatMap(new Plan(task));
            results.addAll(planned.repartition(partitions)
                    .mapPartitions(new ScoreSegments(task))
                    .groupBy(SegmentSums::file)
                    .map(new Combine(task, namesByIndex(readable)))
                    .collect());
        }
        for (FileSums r : results) {
            if (r.fatal() != null) {
                throw new UsageException(r.fatal());
            }
        }
        results.sort((a, b) -> Integer.compare(a.file(), b.file()));
        List<ScoreOutcome> outcomes = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (FileSums r : results) {
            ScoreOutcome outcome = outcome(r, o);
            outcomes.add(outcome);
            rows.add(row(r.path(), outcome));
        }
        return new Result(spark.createDataFrame(rows, SCHEMA), outcomes);
    }

    private static void requireFile(Path model) throws UsageException {
        if (!Files.isRegularFile(model)) {
            throw new UsageException(model + ": " + (Files.exists(model) ? "not a regular file" : "no such model file"));
        }
    }

    /** The model, checked and loaded once here: a bad file stops the job before any task runs. */
    private static CharModel checkModel(Path model, String sha256, int cpus) throws UsageException, IOException {
        try {
            return ModelCache.get(sha256, model, cpus);
        } catch (dev.charlm.sdk.InvalidModelException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * The input files. A local path (no scheme, or {@code file:}) means what it means to {@code
     * charlm score} ({@link InputPaths}: the same walk, the same patterns, the same reasons a file
     * cannot be read); a path on another file system (hdfs:, s3a:) is listed through Hadoop: a
     * file is itself, a directory its .txt files recursively, a pattern its matches (none is an
     * error); a path that does not exist is a file that failed.
     */
    static List<InputFile> list(List<String> inputs, Configuration conf) throws UsageException, IOException {
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
                    throw new UsageException(e.getMessage());
                }
                for (Path f : paths) {
                    long size = 0;
                    String problem = null;
                    try {
                        size = TextSource.of(f).size();
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
                    throw new UsageException(arg + ": matches no files");
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
                    throw new UsageException(arg + ": directory holds no .txt files");
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

    private static Map<Integer, String> namesByIndex(List<InputFile> files) {
        Map<Integer, String> names = new HashMap<>();
        files.forEach(f -> names.put(f.index(), f.name()));
        return names;
    }

    /** Plans one file's segments, on an executor. */
    static final class Plan implements org.apache.spark.api.java.function.FlatMapFunction<InputFile, Segment> {
        private static final long serialVersionUID = 1L;
        private final TaskSpec task;

        Plan(TaskSpec task) {
            this.task = task;
        }

        @Override
        public Iterator<Segment> call(InputFile f) {
            List<Segment> out = new ArrayList<>();
            long s = task.exact() ? Long.MAX_VALUE : task.segmentBytes();
            long w = task.exact() ? 0 : task.warmupBytes();
            for (TextSegment t : TextSegment.plan(f.index(), f.size(), s, w)) {
                out.add(new Segment(f.index(), f.uri(), f.size(), t.index(), t.start(), t.end(), t.warmupStart()));
            }
            return out.iterator();
        }
    }

    /** Scores a partition's segments packed into batch rows, with this JVM's model. */
    static final class ScoreSegments implements org.apache.spark.api.java.function.FlatMapFunction<Iterator<Segment>, SegmentSums> {
        private static final long serialVersionUID = 1L;
        private final TaskSpec task;

        ScoreSegments(TaskSpec task) {
            this.task = task;
        }

        @Override
        public Iterator<SegmentSums> call(Iterator<Segment> partition) {
            List<Segment> mine = new ArrayList<>();
            partition.forEachRemaining(mine::add);
            if (mine.isEmpty()) {
                return List.<SegmentSums>of().iterator();
            }
            int cpus = SparkEnv.get().conf().getInt("spark.task.cpus", 1);
            CharModel model;
            try {
                model = ModelCache.get(task.modelSha256(), Path.of(SparkFiles.get(task.modelFileName())), cpus);
            } catch (IOException | dev.charlm.sdk.InvalidModelException e) {
                // Every retry would find the same file: report it, so the driver stops the job at once.
                String fatal = "the model this executor received cannot be used: " + e.getMessage();
                List<SegmentSums> out = new ArrayList<>(mine.size());
                for (Segment s : mine) {
                    out.add(new SegmentSums(s.file(), s.index(), s.start(), s.end(), s.warmupStart(), 0, 0, 0, 0,
                            null, -1, fatal));
                }
                return out.iterator();
            }
            Configuration conf = task.hadoopConf();
            Map<Integer, Integer> local = new LinkedHashMap<>();
            List<TextSource> sources = new ArrayList<>();
            List<TextSegment> segments = new ArrayList<>();
            for (Segment s : mine) {
                int text = local.computeIfAbsent(s.file(), k -> {
                    sources.add(new HadoopTextSource(s.uri(), s.size(), conf));
                    return sources.size() - 1;
                });
                segments.add(new TextSegment(text, s.index(), s.start(), s.end(), s.warmupStart()));
            }
            List<SegmentScore> scores = model.newScorer(task.scoring()).scoreSegments(sources, segments);
            List<SegmentSums> out = new ArrayList<>(scores.size());
            for (int i = 0; i < scores.size(); i++) {
                SegmentScore sc = scores.get(i);
                Segment s = mine.get(i);
                InvalidTextException e = sc.failure().orElse(null);
                out.add(new SegmentSums(s.file(), s.index(), s.start(), s.end(), s.warmupStart(), sc.totalNll(),
                        sc.predictions(), sc.characters(), sc.unknownCharacters(),
                        e == null ? null : e.problem(), e == null ? -1 : e.offset(), null));
            }
            return out.iterator();
        }
    }

    /** Adds up one file's segments in order, by the sdk's rule. */
    static final class Combine implements org.apache.spark.api.java.function.Function<
            scala.Tuple2<Integer, Iterable<SegmentSums>>, FileSums> {
        private static final long serialVersionUID = 1L;
        private final TaskSpec task;
        private final Map<Integer, String> paths;

        Combine(TaskSpec task, Map<Integer, String> paths) {
            this.task = task;
            this.paths = paths;
        }

        @Override
        public FileSums call(scala.Tuple2<Integer, Iterable<SegmentSums>> group) {
            String path = paths.get(group._1());
            List<SegmentScore> parts = new ArrayList<>();
            for (SegmentSums s : group._2()) {
                if (s.fatal() != null) {
                    return new FileSums(group._1(), path, 0, 0, 0, 0, 0, null, s.fatal());
                }
                TextSegment seg = new TextSegment(0, s.index(), s.start(), s.end(), s.warmupStart());
                parts.add(new SegmentScore(seg, s.nll(), s.predictions(), s.characters(), s.unknown(),
                        s.problem() == null ? Optional.empty()
                                : Optional.of(new InvalidTextException(path, s.problem(), s.problemOffset()))));
            }
            ScoreOutcome o = PerplexityScorer.combine(path, parts, task.scoring(), Preprocessing.fromId(task.preprocessing()));
            if (o.failure().isPresent()) {
                return new FileSums(group._1(), path, 0, 0, 0, 0, parts.size(), o.failure().get().problem(), null);
            }
            ScoreReport r = o.report().orElseThrow();
            return new FileSums(group._1(), path, r.characters(), r.predictions(), r.unknownCharacters(), r.totalNll(),
                    r.segments(), null, null);
        }
    }

    private static ScoreOutcome outcome(FileSums r, ScoringOptions o) {
        if (r.problem() != null) {
            return new ScoreOutcome(r.path(), Optional.empty(),
                    Optional.of(new InvalidTextException(r.path(), r.problem())));
        }
        boolean segmented = o.mode() == ScoringMode.SEGMENTED;
        return new ScoreOutcome(r.path(), Optional.of(new ScoreReport(r.path(), r.characters(), r.predictions(),
                r.unknown(), r.nll(), o.mode(), segmented ? o.segmentBytes() : 0, segmented ? o.warmupBytes() : 0,
                r.segments())), Optional.empty());
    }

    private static Row row(String path, ScoreOutcome o) {
        if (o.report().isEmpty()) {
            return RowFactory.create(path, null, null, null, null, null, null, o.error().orElseThrow());
        }
        ScoreReport r = o.report().get();
        return RowFactory.create(path, r.characters(), r.predictions(), r.unknownCharacters(), r.totalNll(),
                r.bitsPerCharacter(), r.perplexity(), null);
    }
}
