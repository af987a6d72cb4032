package dev.charlm.trainer.train;

/**
 * The result of scoring a text: {@code count} next-character predictions whose negative
 * log-likelihoods (natural log) sum to {@code totalNll}.
 */
public record Evaluation(double totalNll, long count) {

    /** exp(mean cross-entropy). */
    public double perplexity() {
        return Math.exp(totalNll / count);
    }

    /** Mean cross-entropy in bits. */
    public double bitsPerCharacter() {
        return totalNll / count / Math.log(2);
    }

    public Evaluation plus(Evaluation other) {
        return new Evaluation(totalNll + other.totalNll, count + other.count);
    }
}
