package dev.charlm.trainer;

import dev.charlm.trainer.train.EpochMetrics;
import java.nio.file.Path;
import java.util.List;

/**
 * What a finished run produced.
 *
 * @param checkpoint the checkpoint directory
 * @param epochs metrics of every epoch, resumed ones included
 * @param sample the chapter's greedy sample from "time traveller"
 * @param parameterCount number of trainable scalars
 * @param optimizerSteps updates applied in total
 */
public record TrainingOutcome(Path checkpoint, List<EpochMetrics> epochs, String sample,
        long parameterCount, long optimizerSteps) {

    public EpochMetrics last() {
        return epochs.get(epochs.size() - 1);
    }

    /** Median training throughput over the run's epochs. */
    public double medianTokensPerSecond() {
        double[] v = epochs.stream().mapToDouble(EpochMetrics::tokensPerSecond).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Wall time of all epochs, evaluation included. */
    public double wallSeconds() {
        return epochs.stream().mapToDouble(EpochMetrics::wallSeconds).sum();
    }
}
