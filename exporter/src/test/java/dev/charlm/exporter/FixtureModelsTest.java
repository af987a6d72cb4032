package dev.charlm.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.Cell;
import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.InvalidModelException;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.trainer.checkpoint.Checkpoint;
import dev.charlm.trainer.checkpoint.ModelConfig;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.trainer.checkpoint.TensorFile;
import dev.charlm.trainer.model.Implementation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models built in code for what the default model cannot show: raw text, broken files. */
class FixtureModelsTest {

    @TempDir Path dir;

    static byte[] rawModel(ModelMetadata metadataOverride) {
        Vocabulary vocab = Vocabulary.build("the time traveller, smiled: \"yes\".", Preprocessing.RAW);
        ModelConfig config = new ModelConfig(Cell.LSTM, Implementation.BUILTIN, 1, 16, 0f, Preprocessing.RAW, vocab);
        Map<String, Tensor> weights = Fixtures.weights(config, "raw");
        return OnnxExporter.export(config, weights,
                metadataOverride != null ? metadataOverride : OnnxExporter.modelMetadata(config));
    }

    @Test
    void charactersOutsideTheVocabularyCountTheSameSegmentedOrExact() throws Exception {
        try (CharModel m = CharModel.load(rawModel(null), "raw", ModelOptions.forScoring())) {
            String text = "the time traveller — «smiled» 😀 and said: “yes, café”.\n".repeat(400);
            ScoreReport exact = m.newScorer(ScoringOptions.builder().mode(ScoringMode.EXACT).build()).score("t", text);
            ScoreReport segmented = m.newScorer(ScoringOptions.builder().segmentBytes(997).warmupBytes(101).build())
                    .score("t", text);
            assertTrue(segmented.segments() > 20);
            assertTrue(exact.unknownCharacters() > 1000, "unknown " + exact.unknownCharacters());
            assertEquals(exact.unknownCharacters(), segmented.unknownCharacters());
            assertEquals(exact.characters(), segmented.characters());
            assertEquals(exact.predictions(), segmented.predictions());
            assertEquals(exact.perplexity(), segmented.perplexity(), exact.perplexity() * 1e-6);
        }
    }

    @Test
    void aModelWhoseStateShapeDisagreesWithItsLayersIsRefusedInOneLine() throws Exception {
        Vocabulary vocab = Vocabulary.build("the time traveller, smiled: \"yes\".", Preprocessing.RAW);
        ModelMetadata lying = new ModelMetadata(Cell.LSTM, 3, 16, Preprocessing.RAW, vocab, "builtin");
        Path f = Files.write(dir.resolve("lying.onnx"), rawModel(lying));
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> CharModel.load(f));
        assertEquals(f + ": h0 has 1 layers in [1, -1, 16] but charlm.layers says 3", e.getMessage());
    }

    @Test
    void nanInTheWeightsIsNamedAsNaN() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "nan", Cell.GRU, 1, Implementation.BUILTIN);
        ModelConfig config = Checkpoint.readConfig(ckpt);
        Map<String, Tensor> weights = Checkpoint.readWeights(ckpt, config);
        weights.values().iterator().next().values()[3] = Float.NaN;
        Files.write(ckpt.resolve(Checkpoint.WEIGHTS), TensorFile.toBytes(weights));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ExportCommand.execute(new String[] {ckpt.toString(), "-o", dir.resolve("nan.onnx").toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertTrue(message.contains("holds NaN (training diverged"), message);
        assertEquals(1, message.lines().count(), message);
        assertTrue(!Files.exists(dir.resolve("nan.onnx")));
    }
}
