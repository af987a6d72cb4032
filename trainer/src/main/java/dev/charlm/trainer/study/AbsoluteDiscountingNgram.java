package dev.charlm.trainer.study;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The reference script's n-gram ({@code shared/tools/ngram.py}), so that its figures can be
 * reproduced without Python: interpolated absolute discounting (discount D = 0.75). For
 * every context length n = 0..N-1 in turn,
 *
 * <pre>
 * p_n(c | h) = max(count(h, c) - D, 0) / count(h) + D * types(h) / count(h) * p_{n-1}(c | h')
 * </pre>
 *
 * starting from the uniform distribution over every character seen in training or test text,
 * and skipping contexts never seen. n-grams do not cross from one training text into another;
 * the first character of a test text is not predicted.
 */
final class AbsoluteDiscountingNgram implements CharNgram {

    static final double DISCOUNT = 0.75;

    private final int order;
    private final double uniform;
    /** For each context length: context to per-character counts. */
    private final List<Map<String, Map<Character, int[]>>> counts;
    /** For each context length: context to {total count, distinct followers}. */
    private final List<Map<String, int[]>> totals;

    private AbsoluteDiscountingNgram(int order, double uniform, List<Map<String, Map<Character, int[]>>> counts,
            List<Map<String, int[]>> totals) {
        this.order = order;
        this.uniform = uniform;
        this.counts = counts;
        this.totals = totals;
    }

    /**
     * Counts the n-grams of {@code training} texts.
     *
     * @param alphabetTexts every text whose characters make up the uniform base (training and test)
     */
    static AbsoluteDiscountingNgram train(int order, List<String> training, List<String> alphabetTexts) {
        TreeSet<Character> alphabet = new TreeSet<>();
        for (String t : alphabetTexts) {
            for (int i = 0; i < t.length(); i++) {
                alphabet.add(t.charAt(i));
            }
        }
        List<Map<String, Map<Character, int[]>>> counts = new java.util.ArrayList<>();
        for (int n = 0; n < order; n++) {
            counts.add(new HashMap<>());
        }
        for (String t : training) {
            for (int i = 0; i < t.length(); i++) {
                for (int n = 0; n < order && i - n >= 0; n++) {
                    counts.get(n).computeIfAbsent(t.substring(i - n, i), k -> new HashMap<>())
                            .computeIfAbsent(t.charAt(i), k -> new int[1])[0]++;
                }
            }
        }
        List<Map<String, int[]>> totals = new java.util.ArrayList<>();
        for (Map<String, Map<Character, int[]>> level : counts) {
            Map<String, int[]> t = new HashMap<>(level.size() * 2);
            level.forEach((h, tab) -> {
                int sum = 0;
                for (int[] c : tab.values()) {
                    sum += c[0];
                }
                t.put(h, new int[] {sum, tab.size()});
            });
            totals.add(t);
        }
        return new AbsoluteDiscountingNgram(order, 1.0 / alphabet.size(), counts, totals);
    }

    /** p(c | context), context being the characters before c (only the last N-1 are used). */
    double probability(String context, char c) {
        double p = uniform;
        for (int n = 0; n < order && n <= context.length(); n++) {
            String h = context.substring(context.length() - n);
            Map<Character, int[]> tab = counts.get(n).get(h);
            if (tab == null) {
                continue;
            }
            int[] t = totals.get(n).get(h);
            int[] k = tab.get(c);
            p = Math.max((k == null ? 0 : k[0]) - DISCOUNT, 0) / t[0] + DISCOUNT * t[1] / t[0] * p;
        }
        return p;
    }

    @Override
    public int order() {
        return order;
    }

    @Override
    public double totalNll(String text) {
        double nll = 0;
        for (int i = 1; i < text.length(); i++) {
            nll -= Math.log(probability(text.substring(Math.max(0, i - order + 1), i), text.charAt(i)));
        }
        return nll;
    }
}
