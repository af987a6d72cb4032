package dev.charlm.exporter;

import ai.onnxruntime.OrtException;
import dev.charlm.trainer.model.CellType;
import dev.charlm.trainer.model.ModelSpec;
import dev.charlm.trainer.train.Evaluation;

/**
 * Held-out perplexity of a frozen model in ONNX Runtime, with the trainer's definition: predict
 * every character from all before it, from a zero state, state carried through the whole text.
 */
final class HeldOutScore {

    private static final int CHUNK = 512;

    private HeldOutScore() {}

    static Evaluation score(byte[] onnx, ModelSpec spec, int[] tokens) throws OrtException {
        boolean lstm = spec.cell() == CellType.LSTM;
        int stateSize = spec.layers() * spec.hidden();
        float[] h = new float[stateSize];
        float[] c = lstm ? new float[stateSize] : null;
        double total = 0;
        long count = 0;
        int vocab = spec.vocabSize();
        try (FrozenModel ort = new FrozenModel(onnx, lstm, spec.layers(), spec.hidden())) {
            for (int start = 0; start + 1 < tokens.length; start += CHUNK) {
                int len = Math.min(CHUNK, tokens.length - 1 - start);
                long[] x = new long[len];
                for (int i = 0; i < len; i++) {
                    x[i] = tokens[start + i];
                }
                FrozenModel.Output o = ort.run(x, 1, len, h, c);
                float[] logits = o.logits();
                for (int t = 0; t < len; t++) {
                    int base = t * vocab;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < vocab; v++) {
                        max = Math.max(max, logits[base + v]);
                    }
                    double sum = 0;
                    for (int v = 0; v < vocab; v++) {
                        sum += Math.exp(logits[base + v] - max);
                    }
                    total += max + Math.log(sum) - logits[base + tokens[start + t + 1]];
                }
                count += len;
                h = o.hn();
                c = o.cn();
            }
        }
        return new Evaluation(total, count);
    }
}
