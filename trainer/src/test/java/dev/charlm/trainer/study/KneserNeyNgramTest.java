package dev.charlm.trainer.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.data.SourceText;
import dev.charlm.trainer.data.TextStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KneserNeyNgramTest {

    /**
     * A bigram on "abab", worked out by hand. Symbols ^ a b a b (^ begins the text). Bigrams (raw
     * counts, the highest order): ^a 1, ab 2, ba 1. Unigrams (continuation counts): a follows ^
     * and b, so 2; b follows only a, so 1. Counts of counts are too few to estimate discounts:
     * KenLM's fallback 0.5, 1, 1.5 at both orders.
     */
    @Test
    void computesModifiedKneserNeyAsWorkedOutByHand() {
        KneserNeyNgram m = KneserNeyNgram.train(2, List.of("abab"), List.of("abab"));
        assertArrayEquals(new double[] {0.5, 1, 1.5}, m.discounts(1), 0);
        // Unigrams: total 3; lower-order weight (D(2) + D(1)) / 3 = 0.5 onto the uniform 1/2.
        // p1(a) = (2 - 1) / 3 + 0.5 / 2 = 7/12; p1(b) = (1 - 0.5) / 3 + 0.5 / 2 = 5/12.
        assertEquals(7.0 / 12, m.probability("", 'a'), 1e-12);
        assertEquals(5.0 / 12, m.probability("", 'b'), 1e-12);
        // After b: ba 1 of 1, weight 0.5: p(a|b) = 0.5 + 0.5 * 7/12 = 19/24, p(b|b) = 0.5 * 5/12.
        assertEquals(19.0 / 24, m.probability("b", 'a'), 1e-12);
        assertEquals(5.0 / 24, m.probability("b", 'b'), 1e-12);
        // After a: ab 2 of 2, weight D(2)/2 = 0.5: p(b|a) = (2 - 1)/2 + 0.5 * 5/12 = 17/24.
        assertEquals(17.0 / 24, m.probability("a", 'b'), 1e-12);
        // At a text's start: ^a 1 of 1: p(a|^) = 0.5 + 0.5 * 7/12.
        assertEquals(19.0 / 24, m.probability("^", 'a'), 1e-12);
        // A text's first character is not predicted; the second is, after ^ and it (order 2: after it).
        assertEquals(-Math.log(19.0 / 24), m.totalNll("ba"), 1e-12);
    }

    @Test
    void estimatesThreeDiscountsFromCountsOfCounts() {
        // n1 = 3, n2 = 2, n3 = 1, n4 = 1: Y = 3/7, D1 = 1 - 2Y 2/3 = 3/7, D2 = 2 - 3Y 1/2 = 19/14,
        // D3+ = 3 - 4Y = 9/7.
        assertArrayEquals(new double[] {3.0 / 7, 19.0 / 14, 9.0 / 7},
                KneserNeyNgram.discounts(new int[] {1, 1, 1, 2, 2, 3, 4, 9}), 1e-12);
        // An estimate out of (0, k] falls back as KenLM's --discount_fallback does.
        assertArrayEquals(new double[] {0.5, 1, 1.5}, KneserNeyNgram.discounts(new int[] {1, 2, 3, 4, 4, 4, 4, 4}), 0);
    }

    @Test
    void everyDistributionSumsToOne() {
        String text = "the time traveller for so it will be convenient to speak of him was expounding a recondite"
                + " matter to us his grey eyes shone and twinkled and his usually pale face was flushed";
        KneserNeyNgram m = KneserNeyNgram.train(4, List.of(text), List.of(text));
        for (String context : List.of("", "t", "th", "the", "^", "^t", "zzz", "xq ", " an")) {
            double sum = 0;
            for (char c : "abcdefghijklmnopqrstuvwxyz ".toCharArray()) {
                if (text.indexOf(c) >= 0) {
                    sum += m.probability(context, c);
                }
            }
            assertEquals(1.0, sum, 1e-9, "after '" + context + "'");
        }
    }

    @Test
    void refusesAnOrderThatDoesNotFit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KneserNeyNgram.train(13, List.of("abcdefghijklmnopqrstuvwxyz "), List.of()));
        assertEquals(true, e.getMessage().contains("at most"), e.getMessage());
    }

    /**
     * KenLM's figures on the library split (../shared/FACTS.md, "KenLM"): 3.754 at order 5 and
     * 3.303 at order 8, its best. KenLM breaks the text into lines of ~1,000 characters, each with
     * its own begin and end; one text per novel here (FACTS: 0.1-0.2% lower). Within 0.5%.
     */
    @Test
    void agreesWithKenLmOnTheLibrarySplit() throws Exception {
        Corpus corpus = Corpus.load(new CorpusSpec(Library.resolveAll(TextStore.fromSystemProperties()), List.of(), true, 0),
                Preprocessing.D2L, 0.1, null);
        List<String> training = new ArrayList<>();
        List<String> alphabet = new ArrayList<>();
        for (SourceText s : corpus.sources()) {
            training.add(s.training());
            alphabet.add(s.training());
            alphabet.add(s.heldOut());
        }
        for (int[] orderAndKenLm : new int[][] {{5, 3754}, {8, 3303}}) {
            CharNgram m = CharNgram.kneserNey(orderAndKenLm[0], training, alphabet);
            double nll = 0;
            long predictions = 0;
            for (SourceText s : corpus.sources()) {
                nll += m.totalNll(s.heldOut());
                predictions += s.heldOut().length() - 1;
            }
            double kenlm = orderAndKenLm[1] / 1000.0;
            double ours = Math.exp(nll / predictions);
            assertEquals(kenlm, ours, kenlm * 0.005, "order " + orderAndKenLm[0]);
        }
    }
}
