package dev.charlm.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PreprocessingTest {

    @Test
    void d2lKeepsLowercaseLettersAndSingleSpaces() {
        String text = "The Time Machine, by H. G. Wells [1898]\n\n\nI\n  The Time Traveller (for so";
        assertEquals(
                "the time machine by h g wells i the time traveller for so",
                Preprocessing.D2L.apply(text));
    }

    @Test
    void d2lDropsLeadingAndTrailingSeparatorsAndNonAscii() {
        assertEquals("caf na ve", Preprocessing.D2L.apply("  Café naïve!!\n"));
        assertEquals("", Preprocessing.D2L.apply("123 -- ...\n"));
    }

    @Test
    void rawKeepsEveryCharacter() {
        String text = "Café, “quoted”\n\tend";
        assertEquals(text, Preprocessing.RAW.apply(text));
    }

    @Test
    void chunkedNormalizationEqualsWholeText() {
        String text = "  Hello,   World!\nIt's 2 a.m. -- where?\n\n THE END  ";
        Random random = new Random(7);
        for (Preprocessing p : Preprocessing.values()) {
            for (int trial = 0; trial < 50; trial++) {
                Preprocessing.Normalizer n = p.newNormalizer();
                StringBuilder out = new StringBuilder();
                int i = 0;
                while (i < text.length()) {
                    int j = Math.min(text.length(), i + random.nextInt(5));
                    n.accept(text.subSequence(i, j), out);
                    i = j;
                }
                n.finish(out);
                assertEquals(p.apply(text), out.toString(), p + " trial " + trial);
            }
        }
    }

    @Test
    void fromIdNamesAcceptedValues() {
        assertEquals(Preprocessing.RAW, Preprocessing.fromId("raw"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Preprocessing.fromId("bpe"));
        assertEquals("unknown preprocessing 'bpe' (expected d2l or raw)", e.getMessage());
    }
}
