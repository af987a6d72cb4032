package dev.charlm.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.charlm.trainer.model.CharRnnModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Held-out scores by {@link dev.charlm.contract.Perplexity}'s definition: every character
 * predicted from all characters before it, from a zero state carried through the whole text.
 * Texts are fed in chunks only to bound memory, and several texts share each forward call, one
 * batch row each (a row that has ended is padded and its padding not counted); neither changes
 * the result beyond float rounding. The sdk's exact scoring mode computes the same.
 */
public final class HeldOutScorer {

    static final int CHUNK = 512;

    private HeldOutScorer() {}

    /** The score of one text. */
    public static Evaluation evaluate(CharRnnModel model, int[] tokens) {
        return evaluateAll(model, List.of(tokens)).get(0);
    }

    /** The score of each text, all texts batched together. */
    public static List<Evaluation> evaluateAll(CharRnnModel model, List<int[]> texts) {
        int rows = texts.size();
        int longest = 0;
        for (int[] t : texts) {
            longest = Math.max(longest, t.length);
        }
        double[] totals = new double[rows];
        long[] counts = new long[rows];
        NDList state = null;
        try (NDManager carry = model.newScope()) {
            for (int start = 0; start + 1 < longest; start += CHUNK) {
                int len = Math.min(CHUNK, longest - 1 - start);
                long[] x = new long[rows * len];
                long[] y = new long[rows * len];
                float[] mask = new float[rows * len];
                for (int r = 0; r < rows; r++) {
                    int[] t = texts.get(r);
                    for (int i = 0; i < len && start + i + 1 < t.length; i++) {
                        x[r * len + i] = t[start + i];
                        y[r * len + i] = t[start + i + 1];
                        mask[r * len + i] = 1f;
                        counts[r]++;
                    }
                }
                try (NDManager scope = model.newScope()) {
                    NDList in = state != null ? state : model.zeroState(scope, rows);
                    NDList out = model.forward(scope.create(x, new Shape(rows, len)), in, false);
                    NDArray nll = Losses.tokenNll(out.get(0), scope.create(y, new Shape(rows, len)))
                            .reshape(rows, len).mul(scope.create(mask, new Shape(rows, len))).sum(new int[] {1});
                    float[] perRow = nll.toFloatArray();
                    for (int r = 0; r < rows; r++) {
                        totals[r] += perRow[r];
                    }
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
        List<Evaluation> result = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            result.add(new Evaluation(totals[r], counts[r]));
        }
        return result;
    }
}
