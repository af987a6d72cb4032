package dev.charlm.sdk.internal;

import java.util.SplittableRandom;

/**
 * Picks the next token from logits: argmax when temperature is 0 (d2l's predict_ch8 over the
 * whole vocabulary), else softmax(logits / T) restricted to the top-k tokens and to the smallest
 * set whose probability reaches top-p, never {@code <unk>}. Preallocated; not thread-safe.
 */
public final class Sampler {

    private final double temperature;
    private final int topK;
    private final double topP;
    private final int unkId;
    private final SplittableRandom random;
    private final int[] order;
    private final double[] weights;

    public Sampler(int vocabSize, double temperature, int topK, double topP, long seed, int unkId) {
        this.temperature = temperature;
        this.topK = topK <= 0 ? vocabSize : Math.min(topK, vocabSize);
        this.topP = topP;
        this.unkId = unkId;
        this.random = new SplittableRandom(seed);
        this.order = new int[vocabSize];
        this.weights = new double[vocabSize];
    }

    public int next(float[] logits) {
        int n = logits.length;
        if (temperature == 0) {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        }
        Softmax.probabilities(logits, 0, n, temperature, unkId, weights);
        if (topK >= n - 1 && topP >= 1) {
            // No truncation: draw from the whole distribution in id order, with no sort (the
            // batched worker samples every stream every step; the sort was most of its Java time).
            double total = 0;
            for (int i = 0; i < n; i++) {
                if (i != unkId) {
                    total += weights[i];
                }
            }
            double u = random.nextDouble() * total;
            int last = -1;
            for (int i = 0; i < n; i++) {
                if (i == unkId) {
                    continue;
                }
                last = i;
                u -= weights[i];
                if (u < 0) {
                    return i;
                }
            }
            return last;
        }
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (i == unkId) {
                continue;
            }
            // Insertion sort by probability, descending: V is small (28 for d2l), and it allocates nothing.
            int j = m++;
            while (j > 0 && weights[order[j - 1]] < weights[i]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        int keep = Math.min(topK, m);
        double total = 0;
        for (int r = 0; r < keep; r++) {
            total += weights[order[r]];
        }
        if (topP < 1) {
            double cumulative = 0;
            for (int r = 0; r < keep; r++) {
                cumulative += weights[order[r]];
                if (cumulative >= topP * total) {
                    keep = r + 1;
                    total = cumulative;
                    break;
                }
            }
        }
        double u = random.nextDouble() * total;
        for (int r = 0; r < keep; r++) {
            u -= weights[order[r]];
            if (u < 0) {
                return order[r];
            }
        }
        return order[keep - 1];
    }
}
