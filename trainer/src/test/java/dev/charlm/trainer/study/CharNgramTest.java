package dev.charlm.trainer.study;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.SourceText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CharNgramTest {

    /** A bigram small enough to work out by hand. */
    @Test
    void interpolatesAbsoluteDiscountingAsDefined() {
        AbsoluteDiscountingNgram m = AbsoluteDiscountingNgram.train(2, List.of("abab"), List.of("abab", "ba"));
        // Unigram: a 2, b 2 of 4, two types: p1(a) = (2 - .75) / 4 + .75 * 2 / 4 * 1/2 = 0.5.
        // Bigram after 'b': b->a once, one type: p2(a|b) = (1 - .75) / 1 + .75 * 1 / 1 * 0.5 = 0.625.
        assertEquals(0.625, m.probability("b", 'a'), 1e-12);
        assertEquals(-Math.log(0.625), m.totalNll("ba"), 1e-12);
    }

    /** The reference figure every perplexity is quoted next to: 4.186 on The Time Machine's last 10%. */
    @Test
    void reproducesTheReferenceScriptOnTheTimeMachine() throws Exception {
        Path book = Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt");
        String text = Preprocessing.D2L.apply(Files.readString(book));
        int cut = (int) (text.length() * 0.9); // the script's split
        String train = text.substring(0, cut);
        String test = text.substring(cut);
        CharNgram m = CharNgram.absoluteDiscounting(5, List.of(train), List.of(train, test));
        assertEquals(4.186, Math.exp(m.totalNll(test) / (test.length() - 1)), 0.0005);
        // The trainer's split is the same here, so the study's baseline is the script's figure.
        SourceText s = Corpus.load(List.of(book), Preprocessing.D2L, 0.1, null).sources().get(0);
        assertEquals(train, s.training());
    }
}
