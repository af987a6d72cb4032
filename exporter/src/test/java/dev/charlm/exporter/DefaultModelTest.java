package dev.charlm.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.charlm.contract.JsonStrings;
import dev.charlm.contract.ModelContract;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.trainer.data.Corpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The default model shipped in the sdk: its metadata, and its held-out perplexity recomputed
 * from The Time Machine, which must match the recorded figure (metadata and README) within 1%.
 */
class DefaultModelTest {

    static final Path ROOT = Path.of(System.getProperty("charlm.root"));
    static final Path MODEL = ROOT.resolve("sdk/src/main/resources/dev/charlm/sdk/default-model.onnx");

    @Test
    void metadataAndHeldOutPerplexityMatchTheRecord() throws Exception {
        byte[] bytes = Files.readAllBytes(MODEL);
        Map<String, String> md;
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(bytes, new OrtSession.SessionOptions())) {
            md = s.getMetadata().getCustomMetadata();
        }
        assertEquals("lstm", md.get(ModelContract.KEY_CELL));
        assertEquals("2", md.get(ModelContract.KEY_LAYERS));
        assertEquals("256", md.get(ModelContract.KEY_HIDDEN));
        assertEquals("d2l", md.get(ModelContract.KEY_PREPROCESSING));
        List<String> tokens = JsonStrings.decode(md.get(ModelContract.KEY_VOCAB));
        assertEquals(28, tokens.size());
        assertTrue(md.get(ModelContract.KEY_TRAINING_DATA).contains(
                "8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516"), "trained on The Time Machine");

        // Recomputed by the sdk, whose scorer ExporterParityTest checks against DJL's evaluator.
        Path book = Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt");
        Corpus corpus = Corpus.load(List.of(book), Preprocessing.D2L, 0.1, Vocabulary.of(tokens));
        ScoreReport e;
        try (CharModel model = CharModel.load(bytes, "default model", ModelOptions.defaults())) {
            e = model.newScorer().score("held-out", corpus.sources().get(0).heldOut());
        }
        assertEquals(17_342, e.predictions());
        double recorded = Double.parseDouble(md.get(ModelContract.KEY_HELDOUT_PERPLEXITY));
        assertEquals(recorded, e.perplexity(), recorded * 0.01);

        // README states the same figure.
        Matcher m = Pattern.compile("default model: held-out perplexity ([0-9.]+)")
                .matcher(Files.readString(ROOT.resolve("README.md")));
        assertTrue(m.find(), "README lacks the line 'default model: held-out perplexity X'");
        assertEquals(Double.parseDouble(m.group(1)), e.perplexity(), recorded * 0.01);
    }
}
