package dev.charlm.trainer.model;

import dev.charlm.contract.Cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chapter's equations (scratch) and DJL's fused blocks (builtin) compute the same function:
 * same weights, same tokens, same non-zero initial state give the same logits, final states and
 * gradients of every parameter.
 */
class ImplementationParityTest {

    /** float32 through ~10 steps of tanh/sigmoid and a few hundred-term dot products. */
    static final float TOLERANCE = 1e-5f;

    @ParameterizedTest
    @CsvSource({"LSTM,1", "LSTM,2", "GRU,2", "RNN,2", "LSTM,3", "GRU,1", "RNN,3"})
    void scratchEqualsBuiltin(Cell cell, int layers) {
        ModelSpec spec = new ModelSpec(cell, layers, 16, 11, 0f);
        int batch = 3;
        int steps = 7;
        Random random = new Random(42);
        long[] tokens = new long[batch * steps];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(spec.vocabSize());
        }
        float[][] initialState = new float[cell.stateCount()][layers * batch * spec.hidden()];
        for (float[] s : initialState) {
            for (int i = 0; i < s.length; i++) {
                s[i] = random.nextFloat() - 0.5f;
            }
        }
        float[] lossWeights = new float[batch * steps * spec.vocabSize()];
        for (int i = 0; i < lossWeights.length; i++) {
            lossWeights[i] = random.nextFloat() - 0.5f;
        }

        try (CharRnnModel builtin = CharRnnModel.create(spec, Implementation.BUILTIN, Device.cpu(), 7);
                CharRnnModel scratch = CharRnnModel.create(spec, Implementation.SCRATCH, Device.cpu(), 99)) {
            scratch.setWeights(builtin.weights());
            Run a = run(builtin, tokens, initialState, lossWeights, batch, steps);
            Run b = run(scratch, tokens, initialState, lossWeights, batch, steps);
            for (String key : a.values.keySet()) {
                float diff = maxAbsDiff(a.values.get(key), b.values.get(key));
                assertTrue(diff <= TOLERANCE, cell + "x" + layers + " " + key + " differs by " + diff);
            }
            assertEquals(a.values.keySet(), b.values.keySet());
        }
    }

    /**
     * Outside training (no gradients, as held-out scoring, sampling and the export's reference
     * run), at hidden sizes around the vocabulary's and at the small ones where libtorch's oneDNN
     * LSTM was wrong (TorchRuntime switches it off).
     */
    @ParameterizedTest
    @CsvSource({"LSTM,8", "LSTM,16", "LSTM,27", "LSTM,28", "LSTM,29", "LSTM,32", "GRU,8", "GRU,16", "RNN,8",
            "RNN,16"})
    void scratchEqualsBuiltinOutsideTraining(Cell cell, int hidden) {
        ModelSpec spec = new ModelSpec(cell, 2, hidden, 28, 0f);
        int batch = 3;
        int steps = 5;
        Random random = new Random(hidden);
        long[] tokens = new long[batch * steps];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(spec.vocabSize());
        }
        float[][] initialState = new float[cell.stateCount()][2 * batch * hidden];
        for (float[] s : initialState) {
            for (int i = 0; i < s.length; i++) {
                s[i] = random.nextFloat() - 0.5f;
            }
        }
        try (CharRnnModel builtin = CharRnnModel.create(spec, Implementation.BUILTIN, Device.cpu(), 7);
                CharRnnModel scratch = CharRnnModel.create(spec, Implementation.SCRATCH, Device.cpu(), 99)) {
            scratch.setWeights(builtin.weights());
            List<float[]> a = forward(builtin, tokens, initialState, batch, steps);
            List<float[]> b = forward(scratch, tokens, initialState, batch, steps);
            for (int i = 0; i < a.size(); i++) {
                float diff = maxAbsDiff(a.get(i), b.get(i));
                assertTrue(diff <= TOLERANCE, cell + " hidden " + hidden + " output " + i + " differs by " + diff);
            }
        }
        assertTrue(dev.charlm.trainer.internal.TorchRuntime.oneDnnDisabled());
    }

    private static List<float[]> forward(CharRnnModel model, long[] tokens, float[][] initialState, int batch,
            int steps) {
        ModelSpec spec = model.spec();
        try (NDManager scope = model.newScope()) {
            NDList state = new NDList();
            for (float[] s : initialState) {
                state.add(scope.create(s, new Shape(spec.layers(), batch, spec.hidden())));
            }
            List<float[]> out = new ArrayList<>();
            for (NDArray a : model.forward(scope.create(tokens, new Shape(batch, steps)), state, false)) {
                out.add(a.toFloatArray());
            }
            return out;
        }
    }

    record Run(Map<String, float[]> values) {}

    private static Run run(CharRnnModel model, long[] tokens, float[][] initialState,
            float[] lossWeights, int batch, int steps) {
        model.enableGradients();
        Map<String, float[]> values = new LinkedHashMap<>();
        ModelSpec spec = model.spec();
        try (NDManager scope = model.newScope()) {
            NDList state = new NDList();
            for (float[] s : initialState) {
                state.add(scope.create(s, new Shape(spec.layers(), batch, spec.hidden())));
            }
            NDArray x = scope.create(tokens, new Shape(batch, steps));
            NDArray w = scope.create(lossWeights, new Shape(batch, steps, spec.vocabSize()));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList out = model.forward(x, state, true);
                NDArray loss = out.get(0).mul(w).sum();
                for (int i = 1; i < out.size(); i++) {
                    loss = loss.add(out.get(i).sum());
                }
                gc.backward(loss);
                values.put("logits", out.get(0).toFloatArray());
                values.put("hN", out.get(1).toFloatArray());
                if (out.size() > 2) {
                    values.put("cN", out.get(2).toFloatArray());
                }
            }
            for (Map.Entry<String, NDArray> p : model.parameters().entrySet()) {
                values.put("grad " + p.getKey(), p.getValue().getGradient().toFloatArray());
            }
        }
        return new Run(values);
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
