package dev.charlm.trainer.train;

/** Receives progress from a {@link TrainingLoop}. */
public interface ProgressListener {

    /** After each batch; {@code perplexity} is the epoch's running training perplexity. */
    default void onBatch(int epoch, int batch, int batches, double perplexity, double tokensPerSecond) {}

    /** At each mid-epoch checkpoint, once the held-out text has been scored. */
    default void onHeldOut(HeldOutPoint point) {}

    /** After each epoch, once the held-out text has been scored. */
    default void onEpoch(EpochMetrics metrics) {}
}
