package dev.charlm.bench;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.PerplexityScorer;
import dev.charlm.sdk.ScoreOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Scoring The Time Machine (178,979 bytes, 173,427 characters after d2l preprocessing) split
 * into 32 files scored together (32 rows per ONNX Runtime call): one operation scores the whole book. Characters per second =
 * 173,427 / (seconds per operation).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class ScoringBenchmark {

    @Param({"2"})
    public int threads;

    CharModel model;
    PerplexityScorer scorer;
    Path dir;
    List<Path> parts = new ArrayList<>();

    @Setup(Level.Trial)
    public void load() throws Exception {
        model = CharModel.loadDefault(ModelOptions.builder().intraOpThreads(threads).build());
        scorer = model.newScorer();
        String book = Files.readString(Path.of(System.getProperty("charlm.shared.data", "../shared/data"), "timemachine.txt"));
        dir = Files.createTempDirectory("charlm-bench");
        int n = 32;
        for (int i = 0; i < n; i++) {
            parts.add(Files.writeString(dir.resolve("part" + i + ".txt"),
                    book.substring(book.length() * i / n, book.length() * (i + 1) / n)));
        }
    }

    @Benchmark
    public double scoreBook() {
        double nll = 0;
        for (ScoreOutcome o : scorer.scoreAll(parts, null)) {
            nll += o.report().orElseThrow().totalNll();
        }
        return nll;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        model.close();
        for (Path p : parts) {
            Files.delete(p);
        }
        Files.delete(dir);
    }
}
