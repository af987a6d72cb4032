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
 * predicted from the characters before it, from a zero state carried through the text.
 *
 * <p>Texts share forward calls, one batch row each (a row that has ended is padded and its
 * padding not counted), fed in chunks only to bound memory. A text longer than {@link #SEGMENT}
 * characters is cut into segments that become rows of their own, each started from a state
 * warmed up on the {@link #WARMUP} characters before it, as the sdk's segmented scoring does:
 * every character is still predicted once, and the result stays within ~1e-8 relative of
 * carrying one state through the whole text (docs/results.md, "Scoring"), while a long held-out set
 * no longer runs one row per text for the length of the longest. {@link #evaluateExact}
 * carries the state through each whole text.
 */
public final class HeldOutScorer {

    static final int CHUNK = 512;
    /** Predictions per segment of a long text. */
    static final int SEGMENT = 16_384;
    /** Characters before a segment that warm its state up, not counted. */
    static final int WARMUP = 256;
    /** Rows per forward call at most. */
    static final int MAX_ROWS = 256;

    private HeldOutScorer() {}

    /** The score of one text. */
    public static Evaluation evaluate(CharRnnModel model, int[] tokens) {
        return evaluateAll(model, List.of(tokens)).get(0);
    }

    /** The score of each text, long texts segmented, all rows batched together. */
    public static List<Evaluation> evaluateAll(CharRnnModel model, List<int[]> texts) {
        return score(model, texts, SEGMENT);
    }

    /** The score of each text, one row per whole text. */
    public static List<Evaluation> evaluateExact(CharRnnModel model, List<int[]> texts) {
        return score(model, texts, Integer.MAX_VALUE);
    }

    /**
     * One row's work: inputs {@code text[from, to - 1)} predicting {@code text[from + 1, to)}, of
     * which predictions of positions before {@code counted} are warm-up and not counted.
     */
    private record Row(int text, int from, int counted, int to) {}

    private static List<Evaluation> score(CharRnnModel model, List<int[]> texts, int segment) {
        List<Row> rows = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) {
            int length = texts.get(t).length;
            // Positions 1 .. length-1 are predicted; segment them.
            for (int start = 1; start < length; start = (int) Math.min(length, (long) start + segment)) {
                int end = (int) Math.min(length, (long) start + segment);
                rows.add(new Row(t, Math.max(0, start - 1 - WARMUP), start, end));
            }
        }
        double[] totals = new double[texts.size()];
        long[] counts = new long[texts.size()];
        for (int first = 0; first < rows.size(); first += MAX_ROWS) {
            scoreRows(model, texts, rows.subList(first, Math.min(rows.size(), first + MAX_ROWS)), totals, counts);
        }
        List<Evaluation> result = new ArrayList<>(texts.size());
        for (int t = 0; t < texts.size(); t++) {
            result.add(new Evaluation(totals[t], counts[t]));
        }
        return result;
    }

    private static void scoreRows(CharRnnModel model, List<int[]> texts, List<Row> batch, double[] totals,
            long[] counts) {
        int rows = batch.size();
        int longest = 0;
        for (Row r : batch) {
            longest = Math.max(longest, r.to() - 1 - r.from());
        }
        NDList state = null;
        try (NDManager carry = model.newScope()) {
            for (int start = 0; start < longest; start += CHUNK) {
                int len = Math.min(CHUNK, longest - start);
                long[] x = new long[rows * len];
                long[] y = new long[rows * len];
                float[] mask = new float[rows * len];
                for (int r = 0; r < rows; r++) {
                    Row row = batch.get(r);
                    int[] t = texts.get(row.text());
                    for (int i = 0; i < len; i++) {
                        int target = row.from() + start + i + 1;
                        if (target >= row.to()) {
                            break;
                        }
                        x[r * len + i] = t[target - 1];
                        y[r * len + i] = t[target];
                        if (target >= row.counted()) {
                            mask[r * len + i] = 1f;
                            counts[row.text()]++;
                        }
                    }
                }
                try (NDManager scope = model.newScope()) {
                    NDList in = state != null ? state : model.zeroState(scope, rows);
                    NDList out = model.forward(scope.create(x, new Shape(rows, len)), in, false);
                    NDArray nll = Losses.tokenNll(out.get(0), scope.create(y, new Shape(rows, len)))
                            .reshape(rows, len).mul(scope.create(mask, new Shape(rows, len))).sum(new int[] {1});
                    float[] perRow = nll.toFloatArray();
                    for (int r = 0; r < rows; r++) {
                        totals[batch.get(r).text()] += perRow[r];
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
    }
}
