package dev.charlm.sdk.internal;

/**
 * Softmax over logits, written once: probabilities for sampling and for {@code
 * nextCharacterProbabilities}, and the negative log-likelihood of a target for scoring, each
 * computed after subtracting the largest logit so nothing overflows.
 */
public final class Softmax {

    private Softmax() {}

    /**
     * Writes softmax(logits[offset..offset+n) / temperature) into {@code out[0..n)}; entries
     * {@code skip} (e.g. {@code <unk>}, -1 for none) get probability 0.
     */
    public static void probabilities(float[] logits, int offset, int n, double temperature, int skip, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (i != skip) {
                max = Math.max(max, logits[offset + i]);
            }
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            out[i] = i == skip ? 0 : Math.exp((logits[offset + i] - max) / temperature);
            sum += out[i];
        }
        for (int i = 0; i < n; i++) {
            out[i] /= sum;
        }
    }

    /** -log softmax(logits[offset..offset+n))[target], natural log. */
    public static double negativeLogLikelihood(float[] logits, int offset, int n, int target) {
        return logNormalizer(logits, offset, n) - logits[offset + target];
    }

    /** log sum exp(logits[offset..offset+n)): a logit minus it is that entry's log-probability. */
    public static double logNormalizer(float[] logits, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < n; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double sum = 0;
        for (int v = 0; v < n; v++) {
            sum += Math.exp(logits[offset + v] - max);
        }
        return max + Math.log(sum);
    }
}
