package dev.charlm.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import dev.charlm.sdk.TextSegment;
import dev.charlm.sdk.TextSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The segment rules without a model: over any cut of any text, the segments' own characters
 * are exactly the text's characters, each once and in order, and the character each segment's
 * first prediction is made from is the one just before it in the whole text.
 */
class SegmentReadersTest {

    record Read(List<Integer> owned, int lastWarmup, long characters, long unknown) {}

    static Read read(TextSource source, TextSegment segment, Preprocessing p, Vocabulary v) throws Exception {
        List<Integer> owned = new ArrayList<>();
        int lastWarmup = -1;
        try (TokenReader r = SegmentReaders.open(source, source.size(), segment, p, v)) {
            for (int id = r.next(); id >= 0; id = r.next()) {
                if (r.lastOwned()) {
                    owned.add(id);
                } else {
                    assertTrue(owned.isEmpty(), "a warm-up character after an owned one");
                    lastWarmup = id;
                }
            }
            return new Read(owned, lastWarmup, r.characters(), r.unknownCharacters());
        }
    }

    /** Cuts {@code text} every {@code segment} bytes and checks the rules for every segment. */
    static void check(String text, Preprocessing p, Vocabulary v, long segment, long warmup) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        TextSource source = TextSource.of("t", bytes);
        // A byte-order mark at the start is not text.
        String processed = p.apply(text.startsWith("\uFEFF") ? text.substring(1) : text);
        int[] exact = v.encode(processed);
        List<Integer> all = new ArrayList<>();
        long unknown = 0;
        for (TextSegment s : TextSegment.plan(0, bytes.length, segment, warmup)) {
            Read r = read(source, s, p, v);
            if (!r.owned().isEmpty() && !all.isEmpty()) {
                assertEquals(all.get(all.size() - 1), r.lastWarmup(),
                        "segment " + s + " of " + repr(text) + ": predicted from the wrong character");
            }
            all.addAll(r.owned());
            assertEquals(r.owned().size(), r.characters());
            unknown += r.unknown();
        }
        List<Integer> expected = new ArrayList<>();
        long expectedUnknown = 0;
        for (int id : exact) {
            expected.add(id);
        }
        for (int i = 0; i < processed.length();) {
            int cp = processed.codePointAt(i);
            expectedUnknown += v.contains(cp) ? 0 : 1;
            i += Character.charCount(cp);
        }
        assertEquals(expected, all, "S=" + segment + " W=" + warmup + " on " + repr(text));
        assertEquals(expectedUnknown, unknown);
    }

    static String repr(String s) {
        return s.length() > 60 ? "'" + s.substring(0, 60) + "...' (" + s.length() + " chars)" : "'" + s + "'";
    }

    @Test
    void d2lSpacesBelongToTheLetterAfterThemWhereverTheCutFalls() throws Exception {
        Vocabulary v = Vocabulary.build("abcdefghijklmnopqrstuvwxyz ", Preprocessing.D2L);
        String text = "  Ab,  cd!!  e f--g\n\nhij. ";
        for (int s = 1; s <= text.length(); s++) {
            for (int w = 0; w < s; w++) {
                check(text, Preprocessing.D2L, v, s, w);
            }
        }
    }

    @Test
    void rawCutsInsideMultiByteCharactersMoveToTheNextCharacter() throws Exception {
        String text = "\uFEFFcafé 😀 naïve — «ok»\ncrème brûlée";
        Vocabulary v = Vocabulary.build("caf nive ok", Preprocessing.RAW); // most characters unknown
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        for (int s = 1; s <= bytes; s++) {
            for (int w = 0; w < s; w += 3) {
                check(text, Preprocessing.RAW, v, s, w);
            }
        }
    }

    @Test
    void randomTextsAndCuts() throws Exception {
        Random random = new Random(3);
        String alphabet = "aé b😀.,\n  Zx—";
        Vocabulary d2l = Vocabulary.build("abcdefghijklmnopqrstuvwxyz ", Preprocessing.D2L);
        Vocabulary raw = Vocabulary.build("ab .x", Preprocessing.RAW);
        for (int trial = 0; trial < 200; trial++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + random.nextInt(120);
            for (int i = 0; i < n; i++) {
                sb.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0,
                        random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            }
            long s = 1 + random.nextInt(40);
            long w = random.nextInt((int) s);
            check(sb.toString(), Preprocessing.D2L, d2l, s, w);
            check(sb.toString(), Preprocessing.RAW, raw, s, w);
        }
    }

    @Test
    void invalidBytesAreReportedWithTheirOffsetByTheSegmentThatOwnsThem() throws Exception {
        byte[] bytes = "the time traveller smiled".getBytes(StandardCharsets.US_ASCII);
        bytes[17] = (byte) 0xC3; // a lead byte ...
        bytes[18] = (byte) 'x'; // ... not continued
        Vocabulary v = Vocabulary.build("abcdefghijklmnopqrstuvwxyz ", Preprocessing.D2L);
        TextSource source = TextSource.of("t", bytes);
        List<TextSegment> plan = TextSegment.plan(0, bytes.length, 8, 4);
        InvalidTextException e = assertThrows(InvalidTextException.class, () -> {
            for (TextSegment s : plan) {
                read(source, s, Preprocessing.D2L, v);
            }
        });
        assertEquals(17, e.offset());
        assertEquals("t: is not valid UTF-8 (bad byte sequence at offset 17)", e.getMessage());
    }
}
