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
 * random non-zero state, then {@link #STEPS} steps one token at a time along the state the
 * exported model reaches, each step run by both engines from that same state. Every logit and
 * state must agree within {@link #TOLERANCE} times the larger of 1 and its magnitude (numpy's
 * {@code allclose} with rtol = atol): a trained model's logits reach 20 and more, where float32
 * rounding alone is 1e-6 of the value per operation.
 *
 * <p>Both engines start every step from the same state because two float32 engines that each
 * carry their own state drift apart on random input once a model is well trained: its state
 * dynamics amplify a 1e-7 rounding difference step after step (the shipped model, 57k updates:
 * 0.2 on logits after 200 random steps, while every single step agrees to 1e-5 and the
 * held-out perplexities to 1e-6). What the export must get right is the step function; long
 * runs on real text are compared through the held-out perplexity (see {@link Exporter}).
 */
public final class ParityCheck {

    /** Difference allowed on logits and states, relative to max(1, |value|) (float32, two engines). */
    public static final float TOLERANCE = 1e-4f;
    static final int STEPS = 200;
    static final int BATCH = 3;
    static final int WINDOW = 24;

    /**
     * @param maxLogitDiff largest |logit difference| / max(1, |DJL's logit|) seen
     * @param maxStateDiff the same for the states
     * @param comparisons number of runs compared (1 batch + the steps)
     */
    public record Report(float maxLogitDiff, float maxStateDiff, int comparisons) {
        public boolean passed() {
            return maxLogitDiff <= TOLERANCE && maxStateDiff <= TOLERANCE;
        }
    }

    private ParityCheck() {}

    /** One engine's step: logits and final states of {@code tokens} [batch, window] from states h, c. */
    interface Engine {
        CharModel.Forward run(long[] tokens, int batch, int window, float[] h, float[] c);
    }

    /** DJL on a checkpoint's model, as an {@link Engine}. */
    static Engine djl(CharRnnModel djl) {
        ModelSpec spec = djl.spec();
        boolean lstm = spec.cell() == Cell.LSTM;
        return (tokens, batch, window, h, c) -> {
            try (NDManager scope = djl.newScope()) {
                Shape stateShape = new Shape(spec.layers(), batch, spec.hidden());
                NDList state = new NDList(scope.create(h, stateShape));
                if (lstm) {
                    state.add(scope.create(c, stateShape));
                }
                NDList out = djl.forward(scope.create(tokens, new Shape(batch, window)), state, false);
                return new CharModel.Forward(out.get(0).toFloatArray(), out.get(1).toFloatArray(),
                        lstm ? out.get(2).toFloatArray() : null);
            }
        };
    }

    /** Runs the check on {@code ort}, the exported file loaded by the sdk, against DJL on the checkpoint. */
    public static Report run(CharRnnModel djl, CharModel ort, long seed) {
        return run(djl(djl), ort::forward, ort.info().layers(), ort.info().hidden(), ort.info().vocabulary().size(),
                ort.info().hasCellState(), seed);
    }

    /**
     * Compares {@code candidate} with {@code reference} step by step from the same states (the
     * reference is DJL for an export, the fp32 file for a quantization).
     */
    static Report run(Engine reference, Engine candidate, int layers, int hidden, int vocab, boolean lstm, long seed) {
        int stateSize = layers * BATCH * hidden;
        Random random = new Random(seed);
        float[] h = randomState(random, stateSize);
        float[] c = lstm ? randomState(random, stateSize) : null;
        float maxLogit = 0;
        float maxState = 0;
        for (int step = 0; step <= STEPS; step++) {
            int window = step == 0 ? WINDOW : 1;
            long[] tokens = new long[BATCH * window];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = random.nextInt(vocab);
            }
            CharModel.Forward o = candidate.run(tokens, BATCH, window, h, c);
            CharModel.Forward r = reference.run(tokens, BATCH, window, h, c);
            maxLogit = Math.max(maxLogit, maxScaledDiff(o.logits(), r.logits()));
            maxState = Math.max(maxState, maxScaledDiff(o.hn(), r.hn()));
            if (lstm) {
                maxState = Math.max(maxState, maxScaledDiff(o.cn(), r.cn()));
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

    /** The largest |a - reference| / max(1, |reference|); infinite for NaN or a length mismatch. */
    static float maxScaledDiff(float[] a, float[] reference) {
        if (a.length != reference.length) {
            return Float.POSITIVE_INFINITY;
        }
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            float d = Math.abs(a[i] - reference[i]) / Math.max(1f, Math.abs(reference[i]));
            if (!(d <= max)) {
                max = Float.isNaN(d) ? Float.POSITIVE_INFINITY : d;
            }
        }
        return max;
    }
}
