package dev.charlm.trainer.train;

import java.util.Map;

/**
 * What one epoch measured.
 *
 * @param epoch 1-based epoch number
 * @param trainPerplexity exp of the mean training loss over the epoch's batches
 * @param validationPerplexity held-out perplexity over all files together
 * @param validationBitsPerChar the same as bits per character
 * @param validationPerplexityByFile held-out perplexity of each file on its own
 * @param tokensPerSecond training characters per second of step time
 * @param wallSeconds the epoch's wall time, evaluation included
 * @param timing where step time went
 */
public record EpochMetrics(int epoch, double trainPerplexity, double validationPerplexity,
        double validationBitsPerChar, Map<String, Double> validationPerplexityByFile,
        double tokensPerSecond, double wallSeconds, StepTiming timing) {}
