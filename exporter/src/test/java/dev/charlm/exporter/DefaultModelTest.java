package dev.charlm.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.Cell;
import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.Perplexity;
import dev.charlm.contract.Preprocessing;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.PerplexityScorer;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.data.SourceText;
import dev.charlm.trainer.data.TextStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The default model shipped in the sdk: trained on the library's twelve novels (the last 10% of
 * each held out, front matter stripped); its held-out perplexity, recomputed here from the texts,
 * must match the figure in its metadata and in README within 1%.
 */
class DefaultModelTest {

    static final Path ROOT = Path.of(System.getProperty("charlm.root"));
    static final Path MODEL = ROOT.resolve("sdk/src/main/resources/dev/charlm/sdk/default-model.onnx");

    @Test
    void metadataAndHeldOutPerplexityMatchTheRecord() throws Exception {
        try (CharModel model = CharModel.load(MODEL, ModelOptions.forScoring())) {
            ModelMetadata md = model.info().metadata();
            assertEquals(Cell.LSTM, md.cell());
            assertEquals(2, md.layers());
            assertEquals(256, md.hidden());
            assertEquals(Preprocessing.D2L, md.preprocessing());
            assertEquals(28, md.vocabulary().size());
            List<ModelMetadata.TrainingFile> expected = Library.texts().stream()
                    .map(t -> new ModelMetadata.TrainingFile(t.fileName(), t.sha256())).toList();
            assertEquals(expected, md.trainingData(), "trained on the library's twelve novels, in manifest order");

            // Recomputed by the sdk, whose scorer ExporterParityTest checks against DJL's.
            List<Path> texts = Library.resolveAll(TextStore.fromSystemProperties());
            Corpus corpus = Corpus.load(new CorpusSpec(texts, List.of(), true, 0), Preprocessing.D2L, 0.1,
                    md.vocabulary());
            PerplexityScorer scorer = model.newScorer(ScoringOptions.builder().mode(ScoringMode.EXACT).build());
            double nll = 0;
            long predictions = 0;
            for (SourceText s : corpus.sources()) {
                ScoreReport r = scorer.score(s.path().getFileName().toString(), s.heldOut());
                nll += r.totalNll();
                predictions += r.predictions();
            }
            double perplexity = Perplexity.of(nll, predictions);
            double recorded = md.heldOutPerplexity().orElseThrow();
            assertEquals(recorded, perplexity, recorded * 0.01);

            // README states the same figure.
            Matcher m = Pattern.compile("\\| the built-in 2x256 LSTM \\| \\*\\*([0-9.]+)\\*\\*")
                    .matcher(Files.readString(ROOT.resolve("README.md")));
            assertTrue(m.find(), "README lacks the row '| the built-in 2x256 LSTM | **X**'");
            assertEquals(Double.parseDouble(m.group(1)), perplexity, recorded * 0.01);
        }
    }

    /** The int8 twin shipped beside it scores the same held-out text within the quantizer's tolerance. */
    @Test
    void theInt8TwinScoresTheHeldOutTextWithinTolerance() throws Exception {
        try (CharModel fp32 = CharModel.load(MODEL, ModelOptions.forScoring());
                CharModel int8 = CharModel.loadBuiltIn(dev.charlm.sdk.BuiltInModel.DEFAULT,
                        dev.charlm.contract.Precision.INT8, ModelOptions.forScoring())) {
            assertEquals(dev.charlm.contract.Precision.INT8, int8.info().precision());
            List<Path> texts = Library.resolveAll(TextStore.fromSystemProperties());
            Corpus corpus = Corpus.load(new CorpusSpec(texts, List.of(), true, 0), Preprocessing.D2L, 0.1,
                    fp32.info().vocabulary());
            double[] nll = new double[2];
            long predictions = 0;
            ScoringOptions exact = ScoringOptions.builder().mode(ScoringMode.EXACT).build();
            for (SourceText s : corpus.sources()) {
                ScoreReport a = fp32.newScorer(exact).score(s.path().getFileName().toString(), s.heldOut());
                ScoreReport b = int8.newScorer(exact).score(s.path().getFileName().toString(), s.heldOut());
                nll[0] += a.totalNll();
                nll[1] += b.totalNll();
                predictions += a.predictions();
            }
            double a = Perplexity.of(nll[0], predictions);
            double b = Perplexity.of(nll[1], predictions);
            assertTrue(Math.abs(b - a) / a <= Quantizer.TOLERANCE, "fp32 " + a + ", int8 " + b);
        }
    }
}
