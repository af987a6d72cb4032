package dev.charlm.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What an app may hand the sdk from outside: tampered snapshots, huge prompts. */
class UntrustedInputTest {

    static CharModel model;

    @BeforeAll
    static void load() throws Exception {
        model = CharModel.loadDefault();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void tamperedSnapshotsAreRefusedAndTheSessionIsLeftAsItWas() {
        GenerationSession s = model.newSession();
        s.feed("time traveller");
        byte[] good = s.snapshot().toBytes();
        assertThrows(IllegalArgumentException.class, () -> SessionSnapshot.fromBytes(null));
        Random random = new Random(5);
        int refused = 0;
        for (int trial = 0; trial < 2_000; trial++) {
            byte[] bad = good.clone();
            switch (trial % 3) {
                case 0 -> bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bad = java.util.Arrays.copyOf(bad, random.nextInt(bad.length));
                default -> ByteBuffer.wrap(bad).putInt(17 + 4 * random.nextInt(4), random.nextInt());
            }
            GenerationSession target = model.newSession();
            target.feed("the psychologist");
            byte[] before = target.snapshot().toBytes();
            try {
                target.restore(SessionSnapshot.fromBytes(bad));
            } catch (IllegalArgumentException e) {
                refused++;
                assertArrayEquals(before, target.snapshot().toBytes(), "a refused snapshot changed the session");
            }
        }
        // Every flipped bit, truncation and overwritten length is caught by the checksum.
        assertEquals(2_000, refused, refused + " of 2000 refused");
    }

    @Test
    void everySingleBitFlipIsRefused() {
        GenerationSession s = model.newSession();
        s.feed("time traveller");
        byte[] good = s.snapshot().toBytes();
        for (int bit = 0; bit < 8 * good.length; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(IllegalArgumentException.class, () -> SessionSnapshot.fromBytes(bad), "bit " + bit);
        }
        assertArrayEquals(good, SessionSnapshot.fromBytes(good).toBytes());
    }

    @Test
    void aSnapshotOfNonFiniteValuesIsRefused() throws Exception {
        GenerationSession s = model.newSession();
        s.feed("time traveller");
        byte[] good = s.snapshot().toBytes();
        // A well-formed snapshot (valid checksum) whose logits are NaN, as a diverged model would give.
        ByteBuffer b = ByteBuffer.wrap(good.clone());
        int logitsAt = good.length - 4 - 4 * model.info().vocabulary().size();
        b.putFloat(logitsAt, Float.NaN);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array(), 0, good.length - 4);
        b.putInt(good.length - 4, (int) crc.getValue());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionSnapshot.fromBytes(b.array()));
        assertTrue(e.getMessage().contains("holds NaN"), e.getMessage());
    }

    /** A prompt is fed in bounded calls: ONNX Runtime's memory does not grow with it. */
    @Test
    void aLongPromptTakesBoundedMemory() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return; // Linux only
        }
        GenerationSession warm = model.newSession();
        warm.feed("the time traveller ".repeat(100)); // the arena's first growth
        long before = residentKb(status);
        String prompt = "the time traveller smiled round at us ".repeat(8_000); // ~300,000 characters
        GenerationSession s = model.newSession();
        s.feed(prompt);
        long grown = residentKb(status) - before;
        // One call over the whole prompt held ~10 KB per character (3 GB here).
        assertTrue(grown < 400_000, "resident memory grew by " + grown / 1024 + " MB");
        assertTrue(s.isPrimed());
    }

    private static long residentKb(Path status) throws Exception {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** Feeding in bounded calls carries the state as one call over the whole prompt would. */
    @Test
    void aPromptFedInPiecesEndsInTheSameState() {
        String prompt = "the time traveller smiled round at us ".repeat(40); // > 2 feed chunks
        GenerationSession chunked = model.newSession();
        String seen = chunked.feed(prompt);
        int[] ids = model.info().vocabulary().encode(seen);
        long[] tokens = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tokens[i] = ids[i];
        }
        int state = model.info().stateSize();
        CharModel.Forward once = model.forward(tokens, 1, ids.length, new float[state], new float[state]);
        int vocab = model.info().vocabulary().size();
        double[] expected = new double[vocab];
        dev.charlm.sdk.internal.Softmax.probabilities(once.logits(), (ids.length - 1) * vocab, vocab, 1.0, -1, expected);
        float[] actual = chunked.nextCharacterProbabilities();
        for (int i = 0; i < vocab; i++) {
            assertEquals(expected[i], actual[i], 1e-5, "token " + i);
        }
    }

    /** docs/sdk.md names the scorer's overloads; they are the real ones. */
    @Test
    void theSdkPageNamesTheScoreOverloadsThatExist() throws Exception {
        String page = Files.readString(Path.of(System.getProperty("charlm.root"), "docs", "sdk.md"));
        Matcher m = Pattern.compile("`newScorer\\(\\)\\.score\\(([^)]*)\\)`").matcher(page);
        assertTrue(m.find(), "docs/sdk.md does not name newScorer().score(...)");
        List<String> documented = List.of(m.group(1).split(" \\| "));
        List<String> real = new ArrayList<>();
        for (Method method : PerplexityScorer.class.getMethods()) {
            if (method.getName().equals("score")) {
                List<String> params = new ArrayList<>();
                for (Class<?> p : method.getParameterTypes()) {
                    params.add(p.getSimpleName());
                }
                real.add(String.join(", ", params));
            }
        }
        assertEquals(new java.util.TreeSet<>(real), new java.util.TreeSet<>(documented));
    }
}
