package dev.charlm.exporter;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.charlm.sdk.CharModel;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.CharRnnModel;
import dev.charlm.trainer.model.ModelSpec;
import java.util.Random;

/**
 * Proves an exported file computes what DJL computes: the same random token batch from the same
 * random non-zero state, then {@link #STEPS} steps one token at a time, each side carrying its
 * own state. Every logit and state must agree within {@link #TOLERANCE}.
 */
public final class ParityCheck {

    /** Max abs difference allowed on logits and states (float32, two engines). */
    public static final float TOLERANCE = 1e-4f;
    static final int STEPS = 200;
    static final int BATCH = 3;
    static final int WINDOW = 24;

    /**
     * @param maxLogitDiff largest |logit difference| seen
     * @param maxStateDiff largest |state difference| seen
     * @param comparisons number of runs compared (1 batch + the steps)
     */
    public record Report(float maxLogitDiff, float maxStateDiff, int comparisons) {
        public boolean passed() {
            return maxLogitDiff <= TOLERANCE && maxStateDiff <= TOLERANCE;
        }
    }

    private ParityCheck() {}

    /** Runs the check on {@code ort}, the exported file loaded by the sdk. */
    public static Report run(CharRnnModel djl, CharModel ort, long seed) {
        ModelSpec spec = djl.spec();
        boolean lstm = spec.cell() == Cell.LSTM;
        int stateSize = spec.layers() * BATCH * spec.hidden();
        Random random = new Random(seed);
        float[] h = randomState(random, stateSize);
        float[] c = lstm ? randomState(random, stateSize) : null;
        float[] djlH = h;
        float[] djlC = c;
        float maxLogit = 0;
        float maxState = 0;
        for (int step = 0; step <= STEPS; step++) {
            int window = step == 0 ? WINDOW : 1;
            long[] tokens = new long[BATCH * window];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = random.nextInt(spec.vocabSize());
            }
            CharModel.Forward o = ort.forward(tokens, BATCH, window, h, c);
            try (NDManager scope = djl.newScope()) {
                Shape stateShape = new Shape(spec.layers(), BATCH, spec.hidden());
                NDList state = new NDList(scope.create(djlH, stateShape));
                if (lstm) {
                    state.add(scope.create(djlC, stateShape));
                }
                NDList out = djl.forward(scope.create(tokens, new Shape(BATCH, window)), state, false);
                maxLogit = Math.max(maxLogit, maxAbsDiff(out.get(0).toFloatArray(), o.logits()));
                djlH = out.get(1).toFloatArray();
                maxState = Math.max(maxState, maxAbsDiff(djlH, o.hn()));
                if (lstm) {
                    djlC = out.get(2).toFloatArray();
                    maxState = Math.max(maxState, maxAbsDiff(djlC, o.cn()));
                }
            }
            h = o.hn();
            c = o.cn();
        }
        return new Report(maxLogit, maxState, STEPS + 1);
    }

    private static float[] randomState(Random random, int size) {
        float[] s = new float[size];
        for (int i = 0; i < size; i++) {
            s[i] = random.nextFloat() - 0.5f;
        }
        return s;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Float.POSITIVE_INFINITY;
        }
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            float d = Math.abs(a[i] - b[i]);
            if (!(d <= max)) {
                max = Float.isNaN(d) ? Float.POSITIVE_INFINITY : d;
            }
        }
        return max;
    }
}
