package dev.charlm.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {

    @Test
    void rawOrdersByFrequencyThenFirstAppearance() {
        Vocabulary v = Vocabulary.build("abbcccd!", Preprocessing.RAW);
        assertEquals(List.of("<unk>", "c", "b", "a", "d", "!"), v.tokens());
        assertArrayEquals(new int[] {3, 2, 2, 1, 1, 1, 4, 5, 0}, v.encode("abbcccd!?"));
    }

    @Test
    void d2lAlwaysHas28TokensWithMissingOnesLast() {
        Vocabulary v = Vocabulary.build("the cat", Preprocessing.D2L);
        assertEquals(28, v.size());
        // t:2, then h e ' ' c a in order of first appearance (1 each), then the unseen letters.
        assertEquals(List.of("<unk>", "t", "h", "e", " ", "c", "a", "b", "d", "f"),
                v.tokens().subList(0, 10));
        assertEquals("z", v.token(27));
        assertEquals(ModelContract.UNK_ID, v.idOf('?'));
    }

    @Test
    void roundTripsThroughItsTokens() {
        Vocabulary v = Vocabulary.build("hello world", Preprocessing.RAW);
        Vocabulary restored = Vocabulary.of(v.tokens());
        assertEquals(v, restored);
        assertEquals("hello", restored.decode(restored.encode("hello")));
    }

    @Test
    void handlesCharactersOutsideTheBasicPlane() {
        Vocabulary v = Vocabulary.build("a😀a", Preprocessing.RAW);
        assertEquals(List.of("<unk>", "a", "😀"), v.tokens());
        assertArrayEquals(new int[] {1, 2, 1}, v.encode("a😀a"));
    }

    @Test
    void refusesMalformedTokenLists() {
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("a", "<unk>")));
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("<unk>", "ab")));
        assertThrows(IllegalArgumentException.class,
                () -> Vocabulary.of(List.of("<unk>", "a", "a")));
    }
}
