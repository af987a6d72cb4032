package dev.charlm.trainer.study;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Interpolated modified Kneser-Ney (Chen and Goodman 1998, as KenLM's {@code lmplz} estimates
 * it) over characters. Each training text starts with a begin marker; an n-gram's count is its
 * raw count at the highest order and for n-grams that start with the marker, and otherwise its
 * continuation count (how many distinct characters precede it). Each order n has three
 * discounts from its counts of counts, D1 = 1 - 2Y n2/n1, D2 = 2 - 3Y n3/n2, D3+ = 3 - 4Y n4/n3
 * with Y = n1 / (n1 + 2 n2), or KenLM's fallback 0.5, 1, 1.5 where they cannot be estimated (as
 * {@code --discount_fallback}: unigrams over 27 characters). Then
 *
 * <pre>
 * p_n(c | h) = max(c'(hc) - D(c'(hc)), 0) / c'(h.) + (D1 N1(h.) + D2 N2(h.) + D3 N3+(h.)) / c'(h.) * p_{n-1}(c | h')
 * </pre>
 *
 * from the uniform distribution over the alphabet, skipping contexts never seen (KenLM's backoff
 * weight of one). n-grams are packed into longs, a few bits per character, and kept as sorted
 * arrays: the twelve novels' order-8 model is built in seconds.
 */
final class KneserNeyNgram implements CharNgram {

    static final double[] FALLBACK = {0.5, 1.0, 1.5};

    private final int order;
    private final int bits;
    private final int[] ids;
    private final int begin;
    private final double uniform;
    /** Per order n (index n - 1): sorted n-gram codes and their (adjusted) counts. */
    private final long[][] grams;
    private final int[][] counts;
    /** Per order: sorted contexts (code >>> bits), c'(h.), and the weight of the lower order. */
    private final long[][] contexts;
    private final double[][] totals;
    private final double[][] lower;
    /** Per order: D1, D2, D3+. */
    private final double[][] discounts;

    private KneserNeyNgram(int order, int bits, int[] ids, int begin, double uniform, long[][] grams, int[][] counts,
            long[][] contexts, double[][] totals, double[][] lower, double[][] discounts) {
        this.order = order;
        this.bits = bits;
        this.ids = ids;
        this.begin = begin;
        this.uniform = uniform;
        this.grams = grams;
        this.counts = counts;
        this.contexts = contexts;
        this.totals = totals;
        this.lower = lower;
        this.discounts = discounts;
    }

    static KneserNeyNgram train(int order, List<String> training, List<String> alphabetTexts) {
        if (order < 1) {
            throw new IllegalArgumentException("order must be >= 1, got " + order);
        }
        TreeSet<Character> alphabet = new TreeSet<>();
        for (String t : alphabetTexts) {
            for (int i = 0; i < t.length(); i++) {
                alphabet.add(t.charAt(i));
            }
        }
        for (String t : training) {
            for (int i = 0; i < t.length(); i++) {
                alphabet.add(t.charAt(i));
            }
        }
        int[] ids = new int[Character.MAX_VALUE + 1];
        Arrays.fill(ids, -1);
        int next = 0;
        for (char c : alphabet) {
            ids[c] = next++;
        }
        int begin = next;
        int bits = 32 - Integer.numberOfLeadingZeros(begin);
        if ((long) bits * order > 63) {
            throw new IllegalArgumentException("order " + order + " over " + alphabet.size()
                    + " characters does not fit in 63 bits; at most " + 63 / bits);
        }
        // Every training text as symbols, each after a begin marker.
        int length = 0;
        for (String t : training) {
            length += t.length() + 1;
        }
        int[] symbols = new int[length];
        boolean[] starts = new boolean[length];
        int at = 0;
        for (String t : training) {
            starts[at] = true;
            symbols[at++] = begin;
            for (int i = 0; i < t.length(); i++) {
                symbols[at++] = ids[t.charAt(i)];
            }
        }

        long[][] grams = new long[order][];
        int[][] raw = new int[order][];
        for (int n = 1; n <= order; n++) {
            long[] codes = codes(symbols, starts, n, bits);
            Arrays.sort(codes);
            int unique = 0;
            int[] runs = new int[codes.length];
            for (int i = 0; i < codes.length; i++) {
                if (unique > 0 && codes[unique - 1] == codes[i]) {
                    runs[unique - 1]++;
                } else {
                    codes[unique] = codes[i];
                    runs[unique++] = 1;
                }
            }
            grams[n - 1] = Arrays.copyOf(codes, unique);
            raw[n - 1] = Arrays.copyOf(runs, unique);
        }

        // Adjusted counts: continuation counts below the highest order, but for n-grams that start
        // with the begin marker (nothing precedes them).
        int[][] counts = new int[order][];
        counts[order - 1] = raw[order - 1];
        for (int n = 1; n < order; n++) {
            long mask = (1L << (bits * n)) - 1;
            long[] above = grams[n];
            long[] suffixes = new long[above.length];
            for (int i = 0; i < above.length; i++) {
                suffixes[i] = above[i] & mask;
            }
            Arrays.sort(suffixes);
            long[] g = grams[n - 1];
            int[] c = new int[g.length];
            int s = 0;
            for (int i = 0; i < g.length; i++) {
                if (g[i] >>> (bits * (n - 1)) == begin) {
                    c[i] = raw[n - 1][i];
                    continue;
                }
                while (s < suffixes.length && suffixes[s] < g[i]) {
                    s++;
                }
                int k = 0;
                while (s < suffixes.length && suffixes[s] == g[i]) {
                    k++;
                    s++;
                }
                c[i] = k;
            }
            counts[n - 1] = c;
        }

        double[][] discounts = new double[order][];
        long[][] contexts = new long[order][];
        double[][] totals = new double[order][];
        double[][] lower = new double[order][];
        for (int n = 1; n <= order; n++) {
            double[] d = discounts(counts[n - 1]);
            discounts[n - 1] = d;
            long[] g = grams[n - 1];
            int[] c = counts[n - 1];
            long[] ctx = new long[g.length];
            double[] tot = new double[g.length];
            double[] low = new double[g.length];
            int m = 0;
            for (int i = 0; i < g.length;) {
                long h = g[i] >>> bits;
                double total = 0;
                double weight = 0;
                for (; i < g.length && g[i] >>> bits == h; i++) {
                    total += c[i];
                    weight += c[i] == 0 ? 0 : d[Math.min(c[i], 3) - 1];
                }
                ctx[m] = h;
                tot[m] = total;
                low[m++] = weight / total;
            }
            contexts[n - 1] = Arrays.copyOf(ctx, m);
            totals[n - 1] = Arrays.copyOf(tot, m);
            lower[n - 1] = Arrays.copyOf(low, m);
        }
        return new KneserNeyNgram(order, bits, ids, begin, 1.0 / alphabet.size(), grams, counts, contexts, totals,
                lower, discounts);
    }

    /** The codes of every n-gram ending at a symbol after a text's begin marker, oldest symbol highest. */
    private static long[] codes(int[] symbols, boolean[] starts, int n, int bits) {
        long[] out = new long[symbols.length];
        int k = 0;
        int sinceStart = 0;
        for (int i = 0; i < symbols.length; i++) {
            if (starts[i]) {
                sinceStart = 0;
                continue;
            }
            sinceStart++;
            if (sinceStart + 1 < n) {
                continue; // fewer than n symbols (the marker included) end here
            }
            long code = 0;
            for (int j = i - n + 1; j <= i; j++) {
                code = (code << bits) | symbols[j];
            }
            out[k++] = code;
        }
        return Arrays.copyOf(out, k);
    }

    /** D1, D2, D3+ from the counts of counts; KenLM's fallback where they cannot be estimated. */
    static double[] discounts(int[] counts) {
        long[] t = new long[5];
        for (int c : counts) {
            if (c >= 1 && c <= 4) {
                t[c]++;
            }
        }
        if (t[1] == 0 || t[2] == 0 || t[3] == 0 || t[4] == 0) {
            return FALLBACK.clone();
        }
        double y = (double) t[1] / (t[1] + 2.0 * t[2]);
        double[] d = {1 - 2 * y * t[2] / t[1], 2 - 3 * y * t[3] / t[2], 3 - 4 * y * t[4] / t[3]};
        for (int i = 0; i < 3; i++) {
            if (!(d[i] > 0) || d[i] > i + 1) {
                return FALLBACK.clone();
            }
        }
        return d;
    }

    @Override
    public int order() {
        return order;
    }

    /** p(c | the symbols before position {@code at} of {@code s}), at most order - 1 of them. */
    private double probability(int[] s, int at) {
        double p = uniform;
        int c = s[at];
        for (int n = 1; n <= order && at - n + 1 >= 0; n++) {
            long h = 0;
            for (int j = at - n + 1; j < at; j++) {
                h = (h << bits) | s[j];
            }
            int ctx = Arrays.binarySearch(contexts[n - 1], h);
            if (ctx < 0) {
                break; // a context never seen: nor are the longer ones
            }
            long code = (h << bits) | c;
            int g = c < 0 ? -1 : Arrays.binarySearch(grams[n - 1], code);
            int count = g < 0 ? 0 : counts[n - 1][g];
            double discounted = count == 0 ? 0 : Math.max(count - discounts[n - 1][Math.min(count, 3) - 1], 0);
            p = discounted / totals[n - 1][ctx] + lower[n - 1][ctx] * p;
        }
        return p;
    }

    @Override
    public double totalNll(String text) {
        int[] s = new int[text.length() + 1];
        s[0] = begin;
        for (int i = 0; i < text.length(); i++) {
            int id = ids[text.charAt(i)];
            if (id < 0) {
                throw new IllegalArgumentException("character '" + text.charAt(i) + "' is outside the n-gram's alphabet");
            }
            s[i + 1] = id;
        }
        double nll = 0;
        // The first character is not predicted (the sdk's definition); the marker is its context's start.
        for (int at = 2; at < s.length; at++) {
            nll -= Math.log(probability(s, at));
        }
        return nll;
    }

    /** The discounts of order n (1-based), for tests. */
    double[] discounts(int n) {
        return discounts[n - 1].clone();
    }

    /** p(c | context) for tests: the context as text, from a text's start when it begins with '^'. */
    double probability(String context, char c) {
        boolean fromStart = context.startsWith("^");
        String h = fromStart ? context.substring(1) : context;
        int[] s = new int[h.length() + (fromStart ? 2 : 1)];
        int k = 0;
        if (fromStart) {
            s[k++] = begin;
        }
        for (int i = 0; i < h.length(); i++) {
            s[k++] = ids[h.charAt(i)];
        }
        s[k] = ids[c];
        return probability(s, k);
    }
}
