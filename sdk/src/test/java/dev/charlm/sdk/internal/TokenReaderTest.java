package dev.charlm.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
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
}
