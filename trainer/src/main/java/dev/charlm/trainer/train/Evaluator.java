package dev.charlm.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.charlm.trainer.model.CharRnnModel;

/**
 * Held-out perplexity, defined once: predict every character from all characters before it,
 * starting from a zero state and carrying the state through the whole text (n characters give
 * n - 1 predictions). The text is fed in chunks only to bound memory; chunking does not change
 * the result. The sdk's scorer uses the same definition.
 */
public final class Evaluator {

    static final int CHUNK = 512;

    private Evaluator() {}

    public static Evaluation evaluate(CharRnnModel model, int[] tokens) {
        double total = 0;
        long count = 0;
        NDList state = null;
        try (NDManager carry = model.newScope()) {
            for (int start = 0; start + 1 < tokens.length; start += CHUNK) {
                int len = Math.min(CHUNK, tokens.length - 1 - start);
                long[] x = new long[len];
                long[] y = new long[len];
                for (int i = 0; i < len; i++) {
                    x[i] = tokens[start + i];
                    y[i] = tokens[start + i + 1];
                }
                try (NDManager scope = model.newScope()) {
                    NDList in = state != null ? state : model.zeroState(scope, 1);
                    NDList out = model.forward(scope.create(x, new Shape(1, len)), in, false);
                    NDArray nll = Losses.tokenNll(out.get(0), scope.create(y, new Shape(1, len)));
                    total += nll.sum().getFloat();
                    count += len;
                    if (state != null) {
                        state.close();
                    }
                    state = new NDList(out.size() - 1);
                    for (int i = 1; i < out.size(); i++) {
                        NDArray s = out.get(i);
                        s.attach(carry);
                        state.add(s);
                    }
                }
            }
        }
        return new Evaluation(total, count);
    }
}
