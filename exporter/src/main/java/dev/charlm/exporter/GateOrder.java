package dev.charlm.exporter;

import dev.charlm.contract.Cell;

/**
 * Gate-block orders. PyTorch (and so DJL and our checkpoints) stacks LSTM gates i, f, g, o and
 * GRU gates r, z, n; ONNX wants LSTM i, o, f, c and GRU z, r, h. This is the one place the
 * conversion is defined.
 */
enum GateOrder {
    /** ONNX's order: the correct export. */
    ONNX,
    /** PyTorch's order copied unchanged: a wrong export, kept so tests can show it is caught. */
    PYTORCH;

    /** For each ONNX gate block, the index of the PyTorch gate block that fills it. */
    int[] sourceBlocks(Cell cell) {
        if (this == PYTORCH) {
            int[] identity = new int[cell.gates()];
            for (int i = 0; i < identity.length; i++) {
                identity[i] = i;
            }
            return identity;
        }
        switch (cell) {
            case LSTM:
                return new int[] {0, 3, 1, 2}; // i, o, f, c  <-  i, f, g, o
            case GRU:
                return new int[] {1, 0, 2}; // z, r, h  <-  r, z, n
            case RNN:
                return new int[] {0};
            default:
                throw new AssertionError(cell);
        }
    }

    /**
     * Reorders the row blocks of a (gates * hidden, cols) row-major matrix (cols = 1 for a bias).
     */
    float[] reorder(Cell cell, float[] values, int hidden) {
        int[] source = sourceBlocks(cell);
        int block = values.length / source.length;
        if (block * source.length != values.length || block % hidden != 0) {
            throw new IllegalArgumentException("array of " + values.length
                    + " values is not " + source.length + " gate blocks of " + hidden + " rows");
        }
        float[] out = new float[values.length];
        for (int g = 0; g < source.length; g++) {
            System.arraycopy(values, source[g] * block, out, g * block, block);
        }
        return out;
    }
}
