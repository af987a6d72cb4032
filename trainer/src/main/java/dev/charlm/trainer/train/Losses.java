package dev.charlm.trainer.train;

import ai.djl.ndarray.NDArray;

/** Cross-entropy of next-character predictions. */
final class Losses {

    private Losses() {}

    /**
     * Negative log-likelihood of every label.
     *
     * @param logits (B, T, V)
     * @param labels (B, T), int64
     * @return (B*T) natural-log losses
     */
    static NDArray tokenNll(NDArray logits, NDArray labels) {
        long vocab = logits.getShape().get(2);
        NDArray logProbs = logits.reshape(-1, vocab).logSoftmax(1);
        return logProbs.gather(labels.reshape(-1, 1), 1).reshape(-1).neg();
    }
}
