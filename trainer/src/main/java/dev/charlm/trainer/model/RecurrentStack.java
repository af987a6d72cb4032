package dev.charlm.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** L stacked recurrent layers over a batch-first sequence. */
interface RecurrentStack {

    /**
     * Runs the stack.
     *
     * @param x input (B, T, V), one-hot
     * @param state initial state: (h0) or, for LSTM, (h0, c0), each (L, B, H)
     * @param training whether dropout between layers is active
     * @return (Y, hN) or (Y, hN, cN): Y (B, T, H) is the last layer's output at every step
     */
    NDList forward(NDArray x, NDList state, boolean training);
}
