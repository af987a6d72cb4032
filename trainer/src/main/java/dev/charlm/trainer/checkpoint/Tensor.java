package dev.charlm.trainer.checkpoint;

import java.util.Arrays;

/**
 * A named float array with its shape, row-major, as stored in a checkpoint.
 *
 * @param shape dimensions, outermost first
 * @param values row-major values; length is the product of {@code shape}
 */
public record Tensor(long[] shape, float[] values) {
    public Tensor {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        if (size != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size
                    + " values, got " + values.length);
        }
    }
}
