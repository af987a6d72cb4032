package dev.charlm.trainer.train;

import dev.charlm.contract.Perplexity;

/**
 * The result of scoring a text: {@code count} next-character predictions whose negative
 * log-likelihoods (natural log) sum to {@code totalNll} ({@link Perplexity}'s definition).
 */
public record Evaluation(double totalNll, long count) {

    public double perplexity() {
        return Perplexity.of(totalNll, count);
    }

    public double bitsPerCharacter() {
        return Perplexity.bitsPerCharacter(totalNll, count);
    }

    public Evaluation plus(Evaluation other) {
        return new Evaluation(totalNll + other.totalNll, count + other.count);
    }
}
