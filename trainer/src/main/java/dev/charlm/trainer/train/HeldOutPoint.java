package dev.charlm.trainer.train;

import java.util.Map;

/**
 * One point of a run's learning curve: the held-out perplexity after so much training, at the
 * end of an epoch or at a mid-epoch checkpoint ({@link TrainingSettings#checkpointEvery()}).
 *
 * @param epoch 1-based epoch the point falls in
 * @param batch batches of that epoch done
 * @param batches batches in that epoch
 * @param optimizerSteps updates so far in the whole run
 * @param trainingTokens training characters processed so far in the whole run
 * @param trainingSeconds step time so far in the whole run (evaluation excluded)
 * @param validationPerplexity held-out perplexity over all files together
 * @param validationPerplexityByFile held-out perplexity of each file on its own
 */
public record HeldOutPoint(int epoch, int batch, int batches, long optimizerSteps, long trainingTokens,
        double trainingSeconds, double validationPerplexity, Map<String, Double> validationPerplexityByFile) {

    /** Epochs done, as a fraction (1.5: half-way through the second). */
    public double epochs() {
        return epoch - 1 + (double) batch / batches;
    }
}
