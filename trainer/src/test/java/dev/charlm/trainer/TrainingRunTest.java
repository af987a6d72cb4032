package dev.charlm.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.checkpoint.Checkpoint;
import dev.charlm.trainer.checkpoint.ModelConfig;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.train.HeldOutPoint;
import dev.charlm.trainer.train.LearningRateSchedule;
import dev.charlm.trainer.train.OptimizerKind;
import dev.charlm.trainer.train.ProgressListener;
import dev.charlm.trainer.train.TrainingSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short real runs on a slice of The Time Machine. */
class TrainingRunTest {

    @TempDir static Path dir;
    static Path slice;

    @BeforeAll
    static void slice() throws Exception {
        String book = Files.readString(Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt"));
        slice = Files.writeString(dir.resolve("slice.txt"), book.substring(0, 12_000));
    }

    static TrainingRequest request(OptimizerKind optimizer, float lr, int epochs, Path out) {
        return new TrainingRequest(CorpusSpec.of(List.of(slice)), Preprocessing.D2L, 0.1, Cell.LSTM,
                Implementation.BUILTIN, 1, 32, 0f,
                TrainingSettings.basic(Partitioning.SEQUENTIAL, optimizer, lr, 1f, epochs, 8, 16, 3), out);
    }

    static TrainingRun quietRun() {
        return new TrainingRun(new PrintStream(new ByteArrayOutputStream()), new ProgressListener() {});
    }

    @Test
    void aShortRunLowersValidationLossAndWritesACompleteCheckpoint() throws Exception {
        Path out = dir.resolve("short");
        TrainingOutcome r = quietRun().train(request(OptimizerKind.ADAM, 0.01f, 4, out));
        double first = r.epochs().get(0).validationPerplexity();
        double last = r.last().validationPerplexity();
        assertTrue(last < first * 0.9, "validation perplexity went from " + first + " to " + last);
        assertTrue(first < 28, "after one epoch the model should beat uniform guessing: " + first);
        for (String f : List.of("config.json", "weights.bin", "optimizer.bin", "metrics.json",
                "perplexity.png", "perplexity.svg")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), "missing " + f);
        }
        assertEquals(640, ImageIO.read(out.resolve("perplexity.png").toFile()).getWidth());
        String svg = Files.readString(out.resolve("perplexity.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("<polyline") && svg.contains("validation"));
        assertTrue(r.sample().startsWith("time traveller") && r.sample().length() == 14 + 50, r.sample());
        var metrics = Checkpoint.readMetrics(out);
        assertEquals(4, metrics.getAsJsonArray("epochs").size());
        assertEquals(r.optimizerSteps(), metrics.get("optimizer_steps").getAsLong());
        try (var leftovers = Files.list(dir)) {
            assertTrue(leftovers.noneMatch(p -> p.getFileName().toString().startsWith(".short.")),
                    "temporary checkpoint directories left behind");
        }
    }

    @Test
    void resumeContinuesExactlyAsAnUninterruptedRun() throws Exception {
        Path straight = dir.resolve("straight");
        Path half = dir.resolve("half");
        Path resumed = dir.resolve("resumed");
        TrainingOutcome full = quietRun().train(request(OptimizerKind.ADAM, 0.01f, 2, straight));
        TrainingOutcome first = quietRun().train(request(OptimizerKind.ADAM, 0.01f, 1, half));

        // The checkpoint holds exactly the weights and step count of the run that wrote it.
        ModelConfig config = Checkpoint.readConfig(half);
        assertEquals(first.optimizerSteps(),
                Checkpoint.readMetrics(half).get("optimizer_steps").getAsLong());
        Map<String, Tensor> saved = Checkpoint.readWeights(half, config);
        assertEquals(Checkpoint.readTensors(half, Checkpoint.OPTIMIZER).size(), 2 * saved.size());

        TrainingOutcome second = quietRun().resume(half, 2, resumed);
        assertEquals(full.optimizerSteps(), second.optimizerSteps());
        assertEquals(2, second.epochs().size());
        Map<String, Tensor> a = Checkpoint.readWeights(straight, config);
        Map<String, Tensor> b = Checkpoint.readWeights(resumed, config);
        for (String name : a.keySet()) {
            float[] x = a.get(name).values();
            float[] y = b.get(name).values();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-6f, name + "[" + i + "]");
            }
        }
        assertEquals(full.last().validationPerplexity(), second.last().validationPerplexity(), 1e-6);
        // The resumed checkpoint keeps the first epoch's metrics.
        assertArrayEquals(new int[] {1, 2},
                second.epochs().stream().mapToInt(e -> e.epoch()).toArray());
    }

    @Test
    void aRunStoppedAtAMidEpochCheckpointResumesExactly() throws Exception {
        TrainingSettings every30 = new TrainingSettings(Partitioning.SEQUENTIAL, OptimizerKind.ADAM, 0.01f,
                LearningRateSchedule.COSINE, 0, 0.05f, 1f, 0.99f, 2, 0, 8, 16, 3, 30);
        TrainingRequest base = request(OptimizerKind.ADAM, 0.01f, 2, dir.resolve("unused"));
        Path straight = dir.resolve("mid-straight");
        Path stopped = dir.resolve("mid-stopped");
        TrainingOutcome full = quietRun().train(base.withSettings(every30, 0f, straight));

        // Stop the second run the way a killed process stops: right after its second mid-epoch checkpoint.
        class Killed extends RuntimeException {}
        List<HeldOutPoint> seen = new ArrayList<>();
        TrainingRun killedRun = new TrainingRun(new PrintStream(new ByteArrayOutputStream()), new ProgressListener() {
            @Override
            public void onHeldOut(HeldOutPoint point) {
                seen.add(point);
                if (seen.size() == 2) {
                    throw new Killed();
                }
            }
        });
        assertThrows(Killed.class, () -> killedRun.train(base.withSettings(every30, 0f, stopped)));
        var metrics = Checkpoint.readMetrics(stopped);
        assertEquals(60, metrics.get("optimizer_steps").getAsLong());
        assertEquals(1, metrics.getAsJsonObject("position").get("epoch").getAsInt());
        assertEquals(0, metrics.getAsJsonArray("epochs").size());
        assertEquals(2, metrics.getAsJsonArray("curve").size());

        TrainingOutcome resumed = quietRun().resume(stopped, 2, stopped);
        assertEquals(full.optimizerSteps(), resumed.optimizerSteps());
        ModelConfig config = Checkpoint.readConfig(straight);
        Map<String, Tensor> a = Checkpoint.readWeights(straight, config);
        Map<String, Tensor> b = Checkpoint.readWeights(stopped, config);
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).values(), b.get(name).values(), 1e-6f, name);
        }
        assertEquals(full.last().validationPerplexity(), resumed.last().validationPerplexity(), 1e-6);
        assertEquals(full.last().trainPerplexity(), resumed.last().trainPerplexity(), 1e-6);
        // The curve has the same points, mid-epoch ones included, and no position once epochs end.
        var straightCurve = Checkpoint.readMetrics(straight).getAsJsonArray("curve");
        var resumedMetrics = Checkpoint.readMetrics(stopped);
        assertEquals(straightCurve.size(), resumedMetrics.getAsJsonArray("curve").size());
        assertTrue(straightCurve.size() > 2, "mid-epoch points expected: " + straightCurve);
        assertTrue(!resumedMetrics.has("position"));
        for (int i = 0; i < straightCurve.size(); i++) {
            assertEquals(straightCurve.get(i).getAsJsonObject().get("validation_perplexity").getAsDouble(),
                    resumedMetrics.getAsJsonArray("curve").get(i).getAsJsonObject().get("validation_perplexity")
                            .getAsDouble(), 1e-6, "curve point " + i);
        }
    }
}
