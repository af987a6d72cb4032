package dev.charlm.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.charlm.trainer.checkpoint.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Applies SGD or Adam updates to named parameters (d2l's "updater"), with decoupled weight
 * decay, and exposes its whole state (step count, Adam's moments) for checkpoints, so that a
 * resumed run continues exactly. Owns the moment arrays; close it.
 */
public final class ParameterUpdater implements AutoCloseable {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPSILON = 1e-8f;

    private final OptimizerKind kind;
    private final float weightDecay;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long steps;

    public ParameterUpdater(OptimizerKind kind, float weightDecay, Device device) {
        this.kind = kind;
        this.weightDecay = weightDecay;
        this.manager = NDManager.newBaseManager(device);
    }

    public OptimizerKind kind() {
        return kind;
    }

    /** Number of updates applied so far. */
    public long steps() {
        return steps;
    }

    /**
     * Applies one update in place with step size {@code learningRate}. Temporaries go to
     * {@code scope}.
     *
     * @param parameters the parameters, changed in place
     * @param gradients their gradients, same keys
     */
    public void update(Map<String, NDArray> parameters, Map<String, NDArray> gradients, float learningRate,
            NDManager scope) {
        steps++;
        if (weightDecay > 0) {
            // Decoupled: theta -= lr * wd * theta, whatever the gradient says.
            for (NDArray p : parameters.values()) {
                p.muli(1 - learningRate * weightDecay);
            }
        }
        if (kind == OptimizerKind.SGD) {
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                e.getValue().subi(gradients.get(e.getKey()).mul(learningRate));
            }
            return;
        }
        float stepSize = (float) (learningRate * Math.sqrt(1 - Math.pow(BETA2, steps))
                / (1 - Math.pow(BETA1, steps)));
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray g = gradients.get(e.getKey());
            NDArray m = firstMoments.computeIfAbsent(e.getKey(), k -> manager.zeros(g.getShape()));
            NDArray v = secondMoments.computeIfAbsent(e.getKey(), k -> manager.zeros(g.getShape()));
            m.tempAttach(scope);
            v.tempAttach(scope);
            m.muli(BETA1).addi(g.mul(1 - BETA1));
            v.muli(BETA2).addi(g.square().muli(1 - BETA2));
            e.getValue().subi(m.div(v.sqrt().addi(EPSILON)).muli(stepSize));
        }
    }

    /** The state to checkpoint: Adam's moments by {@code m.NAME} and {@code v.NAME}. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        firstMoments.forEach((k, a) -> state.put("m." + k, new Tensor(a.getShape().getShape(), a.toFloatArray())));
        secondMoments.forEach((k, a) -> state.put("v." + k, new Tensor(a.getShape().getShape(), a.toFloatArray())));
        return state;
    }

    /** Restores {@link #steps()} and {@link #state()} saved by an updater of the same kind. */
    public void restore(long steps, Map<String, Tensor> state) {
        this.steps = steps;
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("m.") && !key.startsWith("v.")) {
                continue;
            }
            Map<String, NDArray> target = key.startsWith("m.") ? firstMoments : secondMoments;
            target.put(key.substring(2), manager.create(e.getValue().values(),
                    new Shape(e.getValue().shape())));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
