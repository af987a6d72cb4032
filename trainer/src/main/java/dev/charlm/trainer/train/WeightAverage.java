package dev.charlm.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.trainer.model.CharRnnModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An exponential moving average of the weights (Polyak averaging as in Polyak and Juditsky, 1992,
 * in the exponential form most trainers use): after every update, avg = d * avg + (1 - d) *
 * theta, with d ramped up as min(decay, (1 + t) / (10 + t)) so that the start does not weigh
 * the random initialisation. The average is what is evaluated and saved; training continues
 * on theta. Owns its arrays; close it.
 */
public final class WeightAverage implements AutoCloseable {

    private final float decay;
    private final NDManager manager;
    private final Map<String, NDArray> average = new LinkedHashMap<>();
    private long updates;

    public WeightAverage(float decay, Device device) {
        this.decay = decay;
        this.manager = NDManager.newBaseManager(device);
    }

    /** Folds the current parameters into the average; temporaries go to {@code scope}. */
    public void update(Map<String, NDArray> parameters, NDManager scope) {
        updates++;
        float d = (float) Math.min(decay, (1.0 + updates) / (10.0 + updates));
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray avg = average.get(e.getKey());
            if (avg == null) {
                avg = e.getValue().duplicate();
                avg.attach(manager);
                average.put(e.getKey(), avg);
                continue;
            }
            avg.tempAttach(scope);
            avg.muli(d).addi(e.getValue().mul(1 - d));
        }
    }

    /** The averaged weights by parameter name, row-major. */
    public Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        average.forEach((k, a) -> out.put(k, a.toFloatArray()));
        return out;
    }

    /**
     * Runs {@code work} with the model holding the average (what is evaluated and saved), then
     * puts the training weights back; with nothing averaged yet, on the training weights.
     */
    public <T> T evaluate(CharRnnModel model, Supplier<T> work) {
        if (isEmpty()) {
            return work.get();
        }
        Map<String, float[]> training = model.weights();
        model.setWeights(weights());
        try {
            return work.get();
        } finally {
            model.setWeights(training);
        }
    }

    /** Whether any update has been folded in. */
    public boolean isEmpty() {
        return average.isEmpty();
    }

    /** Restores an average saved as {@link #weights()} after {@code updates} updates. */
    public void restore(long updates, Map<String, Tensor> weights) {
        this.updates = updates;
        weights.forEach((k, t) -> average.put(k, manager.create(t.values(), new Shape(t.shape()))));
    }

    @Override
    public void close() {
        manager.close();
    }
}
