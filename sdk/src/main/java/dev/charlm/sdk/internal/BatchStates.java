package dev.charlm.sdk.internal;

/**
 * Moves one row's state (layers x hidden) in and out of a batched state tensor laid out
 * [layers, batch, hidden], as ONNX Runtime takes and returns it.
 */
public final class BatchStates {

    private BatchStates() {}

    /** Copies {@code row} into row {@code i} of {@code batched}. */
    public static void gather(float[] row, float[] batched, int i, int batch, int layers, int hidden) {
        for (int l = 0; l < layers; l++) {
            System.arraycopy(row, l * hidden, batched, (l * batch + i) * hidden, hidden);
        }
    }

    /** Copies row {@code i} of {@code batched} into {@code row}. */
    public static void scatter(float[] batched, float[] row, int i, int batch, int layers, int hidden) {
        for (int l = 0; l < layers; l++) {
            System.arraycopy(batched, (l * batch + i) * hidden, row, l * hidden, hidden);
        }
    }
}
