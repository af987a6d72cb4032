package dev.charlm.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenReaderTest {

    static List<Integer> readAll(TokenReader r) throws Exception {
        List<Integer> ids = new ArrayList<>();
        for (int id = r.next(); id >= 0; id = r.next()) {
            ids.add(id);
        }
        return ids;
    }

    @Test
    void countsCharactersOutsideTheVocabularyAsUnknown() throws Exception {
        Vocabulary v = Vocabulary.build("abc ", Preprocessing.RAW);
        TokenReader r = new TokenReader(new ByteArrayInputStream("ab€c😀".getBytes(StandardCharsets.UTF_8)),
                "t", Preprocessing.RAW, v);
        List<Integer> ids = readAll(r);
        assertEquals(List.of(v.idOf('a'), v.idOf('b'), 0, v.idOf('c'), 0), ids);
        assertEquals(5, r.characters());
        assertEquals(2, r.unknownCharacters());
    }

    @Test
    void blockBoundariesInsideMultiByteCharactersDoNotMatter() throws Exception {
        String text = "é😀x".repeat(30_000); // crosses the 64 KiB read blocks mid-sequence
        Vocabulary v = Vocabulary.build(text, Preprocessing.RAW);
        InputStream trickle = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7)); // short reads split sequences
            }
        };
        TokenReader r = new TokenReader(trickle, "t", Preprocessing.RAW, v);
        List<Integer> ids = readAll(r);
        assertEquals(90_000, ids.size());
        assertEquals(0, r.unknownCharacters());
        int[] expected = v.encode(text);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], ids.get(i));
        }
    }

    @Test
    void remainingCountsWhatIsLeftWithoutTakingIt() throws Exception {
        Vocabulary v = Vocabulary.build("abc ", Preprocessing.RAW);
        TokenReader r = new TokenReader(new ByteArrayInputStream("ab€c😀".getBytes(StandardCharsets.UTF_8)),
                "t", Preprocessing.RAW, v);
        assertEquals(v.idOf('a'), r.next());
        assertEquals(java.util.OptionalInt.of(4), r.remainingWithin(10)); // b € c 😀: code points, not UTF-16 units
        assertEquals(java.util.OptionalInt.empty(), r.remainingWithin(2));
        assertEquals(1, r.characters());
        assertEquals(List.of(v.idOf('b'), 0, v.idOf('c'), 0), readAll(r));
        assertEquals(java.util.OptionalInt.of(0), r.remainingWithin(0));
        assertEquals(5, r.characters());
        assertEquals(2, r.unknownCharacters());
    }

    @Test
    void lookingAheadAcrossTheWarmupKeepsOwnershipRight() throws Exception {
        byte[] text = "abc cab bca".getBytes(StandardCharsets.UTF_8);
        Vocabulary v = Vocabulary.build("abc ", Preprocessing.RAW);
        // Bytes 0-3 are the warm-up; 4-10 are owned. Short reads make every block tiny.
        TokenReader r = new TokenReader(trickle(text, 3), "t", Preprocessing.RAW, v, 0, 4, text.length, true);
        r.next();
        assertEquals(java.util.OptionalInt.of(10), r.remainingWithin(1_000));
        List<Boolean> owned = new ArrayList<>();
        for (int id = r.next(); id >= 0; id = r.next()) {
            owned.add(r.lastOwned());
        }
        assertEquals(List.of(false, false, false, true, true, true, true, true, true, true), owned);
        assertEquals(7, r.characters());
    }

    @Test
    void aStretchShorterThanABlockIsReadWholeThroughShortReads() throws Exception {
        String text = "é😀x".repeat(300);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Vocabulary v = Vocabulary.build(text, Preprocessing.RAW);
        TokenReader r = new TokenReader(trickle(bytes, 7), "t", Preprocessing.RAW, v, 0, 0, bytes.length, true);
        List<Integer> ids = readAll(r);
        int[] expected = v.encode(text);
        assertEquals(expected.length, ids.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], ids.get(i));
        }
    }

    /** A channel that returns at most {@code most} bytes per read. */
    static ReadableByteChannel trickle(byte[] bytes, int most) {
        InputStream in = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, most));
            }
        };
        return Channels.newChannel(in);
    }
}
