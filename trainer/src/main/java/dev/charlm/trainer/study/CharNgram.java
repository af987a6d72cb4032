package dev.charlm.trainer.study;

import java.util.List;

/**
 * A character n-gram, the yardstick every perplexity here stands next to. Two are kept: {@link
 * #kneserNey} (interpolated modified Kneser-Ney, what people who score text with n-grams use,
 * checked against KenLM) at the best order, and {@link #absoluteDiscounting}, the reference
 * script's 5-gram the studies have always quoted. Both predict every character of a text after
 * the first, as the sdk's scorer does.
 */
public interface CharNgram {

    /** The n-gram order found best on the library split (KenLM and this class agree: order 8). */
    int BEST_ORDER = 8;

    int order();

    /** Sum of -ln p over every character of {@code text} after the first. */
    double totalNll(String text);

    /**
     * Interpolated modified Kneser-Ney of {@code order} (Chen and Goodman's three discounts per
     * order), trained on {@code training}.
     *
     * @param alphabetTexts every text whose characters make up the uniform base (training and test)
     */
    static CharNgram kneserNey(int order, List<String> training, List<String> alphabetTexts) {
        return KneserNeyNgram.train(order, training, alphabetTexts);
    }

    /** The reference script's interpolated absolute discounting (D = 0.75) of {@code order}. */
    static CharNgram absoluteDiscounting(int order, List<String> training, List<String> alphabetTexts) {
        return AbsoluteDiscountingNgram.train(order, training, alphabetTexts);
    }
}
