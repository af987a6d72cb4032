package dev.charlm.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.ModelContract;
import dev.charlm.contract.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {

    @TempDir Path dir;

    @Test
    void heldOutTailIsNeverInTheTrainingTokens() throws Exception {
        // 90 'a' then 10 'z': with holdout 0.1 every 'z' is held out.
        Path f = Files.writeString(dir.resolve("t.txt"), "a".repeat(90) + "z".repeat(10));
        Corpus c = Corpus.load(List.of(f), Preprocessing.RAW, 0.1, null);
        SourceText s = c.sources().get(0);
        assertEquals("a".repeat(90), s.training());
        assertEquals("z".repeat(10), s.heldOut());
        assertEquals(90, c.trainingTokens().length);
        // The vocabulary comes from training text only: 'z' is unknown to the model.
        assertFalse(c.vocabulary().contains('z'));
        assertEquals(ModelContract.UNK_ID, c.vocabulary().idOf('z'));
    }

    @Test
    void eachFileIsSplitOnItsOwnAndTrainingPartsAreJoined() throws Exception {
        Path a = Files.writeString(dir.resolve("a.txt"), "abcdefghij");
        Path b = Files.writeString(dir.resolve("b.txt"), "KLMNOPQRST");
        Corpus c = Corpus.load(List.of(a, b), Preprocessing.D2L, 0.2, null);
        assertEquals("abcdefgh", c.sources().get(0).training());
        assertEquals("ij", c.sources().get(0).heldOut());
        assertEquals("klmnopqr", c.sources().get(1).training());
        assertEquals("st", c.sources().get(1).heldOut());
        assertEquals("abcdefghklmnopqr", c.vocabulary().decode(c.trainingTokens()));
        for (SourceText s : c.sources()) {
            assertTrue(c.vocabulary().decode(c.trainingTokens()).indexOf(s.heldOut()) < 0);
        }
    }

    @Test
    void timeMachineSplitMatchesTheReferenceCounts() throws Exception {
        Path book = Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt");
        Corpus c = Corpus.load(List.of(book), Preprocessing.D2L, 0.1, null);
        SourceText s = c.sources().get(0);
        assertEquals(173_427, s.training().length() + s.heldOut().length());
        assertEquals(17_343, s.heldOut().length());
        assertEquals(28, c.vocabulary().size());
        assertEquals(List.of("<unk>", " ", "e", "t", "a"), c.vocabulary().tokens().subList(0, 5));
        assertEquals("8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516", s.sha256());
    }

    @Test
    void textTooShortToSplitIsNamed() throws Exception {
        Path f = Files.writeString(dir.resolve("tiny.txt"), "ab");
        InvalidTextException e = assertThrows(InvalidTextException.class,
                () -> Corpus.load(List.of(f), Preprocessing.RAW, 0.1, null));
        assertTrue(e.getMessage().startsWith(f + ": has 2 characters after preprocessing"), e.getMessage());
    }
}
