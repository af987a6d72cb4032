package dev.charlm.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.charlm.contract.Cell;
import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.trainer.model.CharRnnModel;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segmented held-out scoring against one state carried through each whole text. */
class HeldOutScorerTest {

    @TempDir Path dir;

    @Test
    void segmentedScoresEqualExactOnesWithinFloatRounding() throws Exception {
        String book = Files.readString(Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt"));
        Path slice = Files.writeString(dir.resolve("slice.txt"), book.substring(0, 60_000));
        Corpus corpus = Corpus.load(CorpusSpec.of(List.of(slice)), Preprocessing.D2L, 0.1, null);
        ModelSpec spec = new ModelSpec(Cell.LSTM, 2, 32, corpus.vocabulary().size(), 0f);
        TrainingSettings settings = TrainingSettings.basic(Partitioning.SEQUENTIAL, OptimizerKind.ADAM, 0.01f, 1f,
                2, 16, 32, 5);
        // A model that has learnt something, so its state carries information across a segment cut.
        try (CharRnnModel model = CharRnnModel.create(spec, Implementation.BUILTIN, Device.cpu(), 5);
                ParameterUpdater updater = new ParameterUpdater(OptimizerKind.ADAM, 0f, Device.cpu())) {
            TrainingLoop loop = new TrainingLoop(model, updater, null, corpus, settings);
            loop.runEpoch(1, null, null, null);
            int[] training = corpus.trainingTokens();
            // Three texts: two longer than a segment (one ending exactly on a boundary), one short.
            List<int[]> texts = List.of(
                    java.util.Arrays.copyOf(training, 2 * HeldOutScorer.SEGMENT + 777),
                    java.util.Arrays.copyOfRange(training, 5, 5 + HeldOutScorer.SEGMENT + 1),
                    java.util.Arrays.copyOf(training, 300));
            List<Evaluation> exact = HeldOutScorer.evaluateExact(model, texts);
            List<Evaluation> segmented = HeldOutScorer.evaluateAll(model, texts);
            for (int i = 0; i < texts.size(); i++) {
                assertEquals(texts.get(i).length - 1, exact.get(i).count(), "every character after the first");
                assertEquals(exact.get(i).count(), segmented.get(i).count(), "predictions of text " + i);
                double rel = Math.abs(segmented.get(i).perplexity() - exact.get(i).perplexity())
                        / exact.get(i).perplexity();
                assertTrue(rel < 1e-5, "text " + i + ": segmented " + segmented.get(i).perplexity() + " vs exact "
                        + exact.get(i).perplexity());
            }
            assertTrue(exact.get(0).perplexity() < 20, "the model learnt something: " + exact.get(0).perplexity());
        }
    }
}
