package dev.charlm.trainer.train;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/**
 * d2l's {@code grad_clipping}: if the global norm ||g|| over all parameters' gradients exceeds
 * theta, scale every gradient by theta / ||g||. (DJL's {@code optClipGrad} clamps elements,
 * which is a different rule.)
 */
final class GradientClipping {

    private GradientClipping() {}

    /**
     * Clips in place.
     *
     * @return the norm before clipping
     */
    static float clipGlobalNorm(Collection<NDArray> gradients, float theta) {
        NDArray sumSquares = null;
        for (NDArray g : gradients) {
            NDArray s = g.square().sum();
            sumSquares = sumSquares == null ? s : sumSquares.addi(s);
        }
        float norm = (float) Math.sqrt(sumSquares.getFloat());
        if (norm > theta) {
            float scale = theta / norm;
            for (NDArray g : gradients) {
                g.muli(scale);
            }
        }
        return norm;
    }
}
