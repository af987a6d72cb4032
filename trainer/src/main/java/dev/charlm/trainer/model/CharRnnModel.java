package dev.charlm.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.charlm.trainer.internal.TorchRuntime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The character language model of d2l's "Deep Recurrent Neural Networks":
 *
 * <pre>
 * X_t      = one_hot(token_t)                                  (B, V)
 * H_t^(l)  = cell(H_t^(l-1), H_{t-1}^(l))   for l = 1..L       (B, H)
 * O_t      = H_t^(L) W_hq + b_q                                (B, V)
 * </pre>
 *
 * <p>While training, dropout with the spec's rate acts on every non-recurrent connection out of a
 * recurrent layer: between layers and before the output layer.
 *
 * <p>Owns its parameters in an {@link NDManager} of its own; {@link #close()} frees them. Not
 * thread-safe. Work on it inside {@link #newScope()}, so that temporaries of a step (and the
 * gradient views of parameters) are freed with the scope rather than accumulating on the
 * model's long-lived manager.
 */
public final class CharRnnModel implements AutoCloseable {

    private final ModelSpec spec;
    private final Implementation implementation;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final RecurrentStack stack;

    private CharRnnModel(ModelSpec spec, Implementation implementation, Device device) {
        this.spec = spec;
        this.implementation = implementation;
        this.manager = NDManager.newBaseManager(device);
        Map<String, long[]> shapes = ParameterLayout.shapes(spec);
        Map<String, NDArray> params = new LinkedHashMap<>();
        if (implementation == Implementation.BUILTIN) {
            BuiltinRecurrentStack builtin = new BuiltinRecurrentStack(spec, manager);
            Map<String, NDArray> own = builtin.parameters();
            for (String name : ParameterLayout.recurrentNames(spec)) {
                NDArray a = own.get(name);
                if (a == null || !a.getShape().equals(new Shape(shapes.get(name)))) {
                    throw new IllegalStateException("DJL block parameter " + name + " is "
                            + (a == null ? "missing" : a.getShape()) + ", expected "
                            + new Shape(shapes.get(name)) + "; block has " + own.keySet());
                }
                params.put(name, a);
            }
            this.stack = builtin;
        } else {
            for (String name : ParameterLayout.recurrentNames(spec)) {
                params.put(name, manager.zeros(new Shape(shapes.get(name)), DataType.FLOAT32));
            }
            this.stack = new ScratchRecurrentStack(spec, params);
        }
        params.put(ParameterLayout.DENSE_WEIGHT,
                manager.zeros(new Shape(shapes.get(ParameterLayout.DENSE_WEIGHT))));
        params.put(ParameterLayout.DENSE_BIAS,
                manager.zeros(new Shape(shapes.get(ParameterLayout.DENSE_BIAS))));
        this.parameters = Collections.unmodifiableMap(params);
    }

    /**
     * Creates a model with PyTorch's default initialisation, drawn from {@code seed}: every
     * parameter uniform in [-1/sqrt(H), 1/sqrt(H)], in canonical order, so that both
     * implementations start from the same weights.
     */
    public static CharRnnModel create(ModelSpec spec, Implementation impl, Device device, long seed) {
        TorchRuntime.apply();
        CharRnnModel model = new CharRnnModel(spec, impl, device);
        Random random = new Random(seed);
        float bound = (float) (1.0 / Math.sqrt(spec.hidden()));
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.parameters.entrySet()) {
            float[] values = new float[(int) e.getValue().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (random.nextFloat() * 2f - 1f) * bound;
            }
            weights.put(e.getKey(), values);
        }
        model.setWeights(weights);
        return model;
    }

    public ModelSpec spec() {
        return spec;
    }

    public Implementation implementation() {
        return implementation;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The parameter arrays by canonical name ({@link ParameterLayout}), in canonical order. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * Opens a scope for one step of work: parameters are temporarily attached to it, so every
     * array derived from them lives in the scope and is freed when it closes, while the
     * parameters themselves return to the model.
     */
    public NDManager newScope() {
        NDManager scope = manager.newSubManager();
        for (NDArray p : parameters.values()) {
            p.tempAttach(scope);
        }
        return scope;
    }

    /** A zero state for a batch: (h) or (h, c), each (L, B, H), in {@code scope}. */
    public NDList zeroState(NDManager scope, long batchSize) {
        Shape shape = new Shape(spec.layers(), batchSize, spec.hidden());
        NDList state = new NDList();
        for (int i = 0; i < spec.cell().stateCount(); i++) {
            state.add(scope.zeros(shape, DataType.FLOAT32));
        }
        return state;
    }

    /**
     * Runs the model.
     *
     * @param tokens token ids (B, T), int64
     * @param state (h) or (h, c), each (L, B, H); see {@link #zeroState}
     * @param training whether dropout is active
     * @return (logits (B, T, V), hN[, cN])
     */
    public NDList forward(NDArray tokens, NDList state, boolean training) {
        NDArray x = tokens.oneHot(spec.vocabSize(), DataType.FLOAT32);
        NDList out = stack.forward(x, state, training);
        NDArray y = out.get(0); // (B, T, H)
        if (training && spec.dropout() > 0) {
            // Dropout on the last layer's output too, not only between recurrent layers
            // (Zaremba et al. 2014): without it the 2x256 LSTM overfits The Time Machine.
            y = y.getNDArrayInternal().dropout(y, spec.dropout(), true).head();
        }
        NDArray logits = y.matMul(parameters.get(ParameterLayout.DENSE_WEIGHT).transpose())
                .add(parameters.get(ParameterLayout.DENSE_BIAS));
        NDList result = new NDList(logits);
        for (int i = 1; i < out.size(); i++) {
            result.add(out.get(i));
        }
        return result;
    }

    /** Marks every parameter as needing a gradient (for training). */
    public void enableGradients() {
        for (NDArray p : parameters.values()) {
            p.setRequiresGradient(true);
        }
    }

    /** Copies the weights out, by canonical name, row-major. */
    public Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        parameters.forEach((name, array) -> out.put(name, array.toFloatArray()));
        return out;
    }

    /**
     * Overwrites every parameter.
     *
     * @throws IllegalArgumentException naming a parameter that is missing, extra or of the
     *     wrong size
     */
    public void setWeights(Map<String, float[]> weights) {
        for (String name : weights.keySet()) {
            if (!parameters.containsKey(name)) {
                throw new IllegalArgumentException("unknown parameter " + name);
            }
        }
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            float[] values = weights.get(e.getKey());
            if (values == null) {
                throw new IllegalArgumentException("missing parameter " + e.getKey());
            }
            if (values.length != e.getValue().size()) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " has "
                        + values.length + " values, expected " + e.getValue().size()
                        + " for shape " + e.getValue().getShape());
            }
            e.getValue().set(values);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
