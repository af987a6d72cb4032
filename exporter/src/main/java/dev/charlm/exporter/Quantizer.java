package dev.charlm.exporter;

import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.Precision;
import dev.charlm.contract.onnx.OnnxFile;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.InvalidModelException;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.sdk.TextSource;
import java.util.List;
import java.util.Locale;

/**
 * An fp32 charlm model's int8 twin ({@link OnnxExporter}: LSTM weights per-row int8), and the
 * check that it is close enough before anything is written: its perplexity on real text within
 * {@link #TOLERANCE} (relative) of the fp32 model's, scored by the sdk as an app would. The
 * per-step logit difference from the same states is measured and reported, not gated: int8
 * cannot meet the fp32 export's 1e-4.
 */
public final class Quantizer {

    /** How much higher (or lower) int8's perplexity may be, relative to fp32's. */
    public static final double TOLERANCE = 0.005;

    /**
     * What the check measured.
     *
     * @param fp32Perplexity the fp32 model's perplexity on the texts
     * @param int8Perplexity the int8 model's on the same texts
     * @param predictions characters predicted, per model
     * @param steps the largest per-step difference from the same states (not gated)
     */
    public record Check(double fp32Perplexity, double int8Perplexity, long predictions, ParityCheck.Report steps) {
        public double relativeDifference() {
            return Math.abs(int8Perplexity - fp32Perplexity) / fp32Perplexity;
        }

        public boolean passed() {
            return relativeDifference() <= TOLERANCE;
        }

        public String describe() {
            return String.format(Locale.ROOT, "int8 perplexity %.4f against fp32 %.4f over %,d predictions: %.3f%%"
                    + " relative (tolerance %.1f%%); per-step difference %.3g on logits, %.3g on states",
                    int8Perplexity, fp32Perplexity, predictions, 100 * relativeDifference(), 100 * TOLERANCE,
                    steps.maxLogitDiff(), steps.maxStateDiff());
        }
    }

    /** A quantized model that missed the tolerance; nothing was written. */
    public static final class QuantizationException extends Exception {
        private static final long serialVersionUID = 1L;

        QuantizationException(String message) {
            super(message);
        }
    }

    private Quantizer() {}

    /**
     * The int8 twin of an fp32 file charlm wrote.
     *
     * @param origin what it is made from, for its metadata ("sha256:HEX of NAME")
     * @throws IllegalArgumentException if the file is not an fp32 LSTM model charlm wrote
     */
    static byte[] quantize(OnnxFile fp32, ModelMetadata metadata, String origin) {
        if (metadata.precision() != Precision.FP32) {
            throw new IllegalArgumentException("the model is already " + metadata.precision().id());
        }
        ModelMetadata int8 = new ModelMetadata(metadata.cell(), metadata.layers(), metadata.hidden(),
                metadata.preprocessing(), metadata.vocabulary(), metadata.implementation(), metadata.trainingData(),
                java.util.OptionalDouble.empty(), java.util.OptionalLong.empty(), Precision.INT8, origin);
        return OnnxExporter.graph(int8, GraphWeights.fromOnnx(fp32, metadata));
    }

    /**
     * Scores {@code texts} with both models and compares them step by step.
     *
     * @throws QuantizationException if int8's perplexity misses the tolerance
     */
    static Check check(byte[] fp32, byte[] int8, List<TextSource> texts, ScoringOptions scoring)
            throws QuantizationException, InvalidModelException {
        try (CharModel a = CharModel.load(fp32, "fp32 model", ModelOptions.forScoring());
                CharModel b = CharModel.load(int8, "int8 model", ModelOptions.forScoring())) {
            ScoreReport ra = total(a.newScorer(scoring).scoreSources(texts, null));
            ScoreReport rb = total(b.newScorer(scoring).scoreSources(texts, null));
            ParityCheck.Report steps = ParityCheck.run(a::forward, b::forward, a.info().layers(), a.info().hidden(),
                    a.info().vocabulary().size(), a.info().hasCellState(), 23);
            Check c = new Check(ra.perplexity(), rb.perplexity(), ra.predictions(), steps);
            if (!c.passed()) {
                throw new QuantizationException("int8 misses the tolerance by "
                        + String.format(Locale.ROOT, "%.3f%%", 100 * (c.relativeDifference() - TOLERANCE)) + ": "
                        + c.describe());
            }
            return c;
        }
    }

    private static ScoreReport total(List<ScoreOutcome> outcomes) {
        for (ScoreOutcome o : outcomes) {
            if (o.failure().isPresent()) {
                throw new IllegalArgumentException(o.failure().get().getMessage());
            }
        }
        return ScoreReport.total("check", outcomes.stream().map(o -> o.report().orElseThrow()).toList());
    }
}
