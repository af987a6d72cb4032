package dev.charlm.contract;

/**
 * The one definition of a score, shared by the trainer's validation and the sdk's scorer:
 * every character after the first is predicted from all characters before it, and a text of n
 * characters gives n - 1 predictions whose negative log-likelihoods (natural log) are summed.
 */
public final class Perplexity {

    private Perplexity() {}

    /** exp(mean negative log-likelihood): perplexity. */
    public static double of(double totalNll, long predictions) {
        return Math.exp(totalNll / predictions);
    }

    /** The mean negative log-likelihood in bits: bits per character. */
    public static double bitsPerCharacter(double totalNll, long predictions) {
        return totalNll / predictions / Math.log(2);
    }
}
