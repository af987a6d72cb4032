package dev.charlm.trainer.train;

import dev.charlm.trainer.data.Sampling;

/**
 * How to train, apart from the model's shape and the data.
 *
 * @param sampling minibatch sampler
 * @param optimizer update rule
 * @param learningRate step size
 * @param clip global gradient-norm threshold theta
 * @param epochs total epochs (a resumed run trains up to this count)
 * @param batchSize windows per batch
 * @param numSteps characters per window
 * @param seed seeds initialisation, sampling and dropout
 */
public record TrainingSettings(Sampling sampling, OptimizerKind optimizer, float learningRate,
        float clip, int epochs, int batchSize, int numSteps, long seed) {

    public TrainingSettings {
        positive("--epochs", epochs);
        positive("--batch-size", batchSize);
        positive("--num-steps", numSteps);
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("--lr must be positive, got " + learningRate);
        }
        if (!(clip > 0)) {
            throw new IllegalArgumentException("--clip must be positive, got " + clip);
        }
    }

    private static void positive(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be positive, got " + value);
        }
    }
}
