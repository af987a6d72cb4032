package dev.charlm.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.charlm.contract.ModelContract;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GenerationTest {

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
    void greedyFromTheChapterPrefixIsTheTrainersSample() throws Exception {
        GenerationSession s = model.newSession();
        s.feed("time traveller");
        String text = "time traveller" + s.generate(GenerationOptions.greedy(50), null).text();
        // docs/results.md records the trainer's sample for the weights shipped as the built-in model.
        Matcher m = Pattern.compile("\\| sample, greedy from \"time traveller\" \\| (.+) \\|")
                .matcher(Files.readString(Path.of(System.getProperty("charlm.root"), "docs", "results.md")));
        assertTrue(m.find(), "docs/results.md lacks the sample row");
        assertEquals(m.group(1), text);
    }

    @Test
    void generationEqualsADirectOnnxRuntimeLoop() throws Exception {
        GenerationSession s = model.newSession();
        s.feed("the machine");
        GenerationResult r = s.generate(GenerationOptions.greedy(40), null);

        ModelInfo info = model.info();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] bytes;
        try (InputStream in = CharModel.class.getResourceAsStream(CharModel.DEFAULT_MODEL_RESOURCE)) {
            bytes = in.readAllBytes();
        }
        StringBuilder direct = new StringBuilder();
        try (OrtSession ort = env.createSession(bytes, new OrtSession.SessionOptions())) {
            float[] h = new float[info.stateSize()];
            float[] c = new float[info.stateSize()];
            float[] logits = null;
            int[] ids = info.vocabulary().encode("the machine");
            List<Integer> feed = new ArrayList<>();
            for (int id : ids) {
                feed.add(id);
            }
            for (int step = 0; step < ids.length + 40; step++) {
                int token;
                if (step < ids.length) {
                    token = feed.get(step);
                } else {
                    token = argmax(logits);
                    direct.append(info.vocabulary().token(token));
                    if (step == ids.length + 39) {
                        break;
                    }
                }
                long[] shape = {info.layers(), 1, info.hidden()};
                try (OnnxTensor t = OnnxTensor.createTensor(env, new long[][] {{token}});
                        OnnxTensor ht = OnnxTensor.createTensor(env, FloatBuffer.wrap(h), shape);
                        OnnxTensor ct = OnnxTensor.createTensor(env, FloatBuffer.wrap(c), shape);
                        OrtSession.Result out = ort.run(Map.of(ModelContract.TOKENS, t, ModelContract.H0, ht, ModelContract.C0, ct))) {
                    logits = floats(out, ModelContract.LOGITS);
                    h = floats(out, ModelContract.HN);
                    c = floats(out, ModelContract.CN);
                }
            }
        }
        assertEquals(direct.toString(), r.text());
        assertEquals(40, r.characters());
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    static float[] floats(OrtSession.Result r, String name) {
        FloatBuffer b = ((OnnxTensor) r.get(name).get()).getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }

    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void streamingHandsOutCharactersAsTheyAreMade() {
        GenerationSession s = model.newSession();
        s.feed("the time traveller");
        Iterator<String> it = s.iterator(GenerationOptions.greedy(5));
        StringBuilder sb = new StringBuilder();
        while (it.hasNext()) {
            sb.append(it.next());
        }
        GenerationSession again = model.newSession();
        again.feed("the time traveller");
        assertEquals(again.stream(GenerationOptions.greedy(5)).collect(Collectors.joining()), sb.toString());
        List<String> seen = new ArrayList<>();
        GenerationSession third = model.newSession();
        GenerationResult r = third.generate("the time traveller", GenerationOptions.greedy(5), seen::add);
        assertEquals(sb.toString(), String.join("", seen));
        assertEquals(sb.toString(), r.text());
    }

    @Test
    void continuingEqualsGeneratingAtOnce() {
        GenerationSession once = model.newSession();
        once.feed("it was");
        String whole = once.generate(GenerationOptions.greedy(30), null).text();
        GenerationSession twice = model.newSession();
        twice.feed("it was");
        String first = twice.generate(GenerationOptions.greedy(12), null).text();
        String second = twice.generate(GenerationOptions.greedy(18), null).text();
        assertEquals(whole, first + second);
    }

    @Test
    void snapshotRestoresTheSameContinuationAlsoAfterBytes() {
        GenerationSession s = model.newSession();
        s.feed("the psychologist");
        SessionSnapshot snap = s.snapshot();
        GenerationOptions sampled = GenerationOptions.builder().temperature(0.8).seed(5).maxCharacters(60).build();
        String expected = s.generate(sampled, null).text();

        GenerationSession restored = model.newSession();
        restored.restore(snap);
        assertEquals(expected, restored.generate(sampled, null).text());

        GenerationSession fromBytes = model.newSession();
        fromBytes.restore(SessionSnapshot.fromBytes(snap.toBytes()));
        assertEquals(expected, fromBytes.generate(sampled, null).text());

        // Snapshots are immutable: generating after taking one does not change it.
        assertArrayEquals(snap.toBytes(), SessionSnapshot.fromBytes(snap.toBytes()).toBytes());
        assertThrows(IllegalArgumentException.class, () -> SessionSnapshot.fromBytes(new byte[] {1, 2, 3}));
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsMatter() {
        GenerationOptions a = GenerationOptions.builder().temperature(1.0).seed(42).maxCharacters(80).build();
        GenerationOptions b = GenerationOptions.builder().temperature(1.0).seed(43).maxCharacters(80).build();
        String first = model.newSession().generate("the", a, null).text();
        String again = model.newSession().generate("the", a, null).text();
        String other = model.newSession().generate("the", b, null).text();
        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    @Test
    void topKNeverLeavesTheKMostLikely() {
        int k = 3;
        GenerationSession s = model.newSession();
        s.feed("the time");
        Iterator<String> it = s.iterator(GenerationOptions.builder().temperature(1.5).topK(k).seed(9).maxCharacters(300).build());
        List<String> vocab = model.info().vocabulary().tokens();
        while (it.hasNext()) {
            float[] p = s.nextCharacterProbabilities();
            Integer[] order = new Integer[p.length];
            for (int i = 0; i < p.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Float.compare(p[y], p[x]));
            List<String> allowed = new ArrayList<>();
            for (int i = 0; allowed.size() < k; i++) {
                if (order[i] != ModelContract.UNK_ID) {
                    allowed.add(vocab.get(order[i]));
                }
            }
            String ch = it.next();
            assertTrue(allowed.contains(ch), "'" + ch + "' is not among the top " + k + " " + allowed);
        }
    }

    @Test
    void topPOfAlmostZeroIsGreedy() {
        GenerationOptions nucleus = GenerationOptions.builder().temperature(1.0).topP(1e-9).seed(1).maxCharacters(40).build();
        assertEquals(model.newSession().generate("the", GenerationOptions.greedy(40), null).text(),
                model.newSession().generate("the", nucleus, null).text());
    }

    @Test
    void stopStringsEndGenerationAndAreReported() {
        GenerationOptions o = GenerationOptions.builder().maxCharacters(500).stopStrings(List.of(" the ", "xyz")).build();
        GenerationResult r = model.newSession().generate("time traveller", o, null);
        assertEquals(FinishReason.STOP_STRING, r.finishReason());
        assertEquals(" the ", r.stopString().orElseThrow());
        assertTrue(r.text().endsWith(" the "), r.text());
        assertEquals(r.text().indexOf(" the "), r.text().length() - 5, "stopped at the first occurrence");
    }

    @Test
    void generatingBeforeFeedingIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> model.newSession().generate(GenerationOptions.greedy(5), null));
        assertTrue(e.getMessage().contains("feed() a prompt first"));
    }

    @Test
    void repeatedPromptsHitThePrefixCache() {
        try (CharModel m = loadFresh()) {
            m.newSession().feed("a repeated prompt");
            GenerationSession s = m.newSession();
            s.feed("a repeated prompt");
            PrefixCacheStats stats = m.prefixCacheStats();
            assertEquals(1, stats.hits());
            assertEquals(1, stats.misses());
            GenerationSession cold = model.newSession();
            cold.feed("a repeated prompt");
            assertEquals(cold.generate(GenerationOptions.greedy(20), null).text(),
                    s.generate(GenerationOptions.greedy(20), null).text());
        }
    }

    @Test
    void scoredFeedingGivesTheScorersPerplexityAndTheSameState() throws Exception {
        // Longer than a feeding chunk, so the distribution carried across chunks is checked too.
        String text = Files.readString(Path.of(System.getProperty("charlm.root"), "..", "shared", "data",
                "timemachine.txt")).substring(20_000, 21_500);
        GenerationSession scored = model.newSession();
        List<CharacterChoice> choices = scored.feedScored(text, 3);
        String processed = model.info().preprocessing().apply(text);
        assertEquals(processed, choices.stream().map(CharacterChoice::character).collect(Collectors.joining()));
        assertTrue(choices.get(0).logprob().isEmpty(), "the first character has nothing before it");
        double nll = 0;
        for (CharacterChoice c : choices.subList(1, choices.size())) {
            double lp = c.logprob().orElseThrow();
            nll -= lp;
            assertEquals(3, c.alternatives().size());
            Double best = c.alternatives().values().iterator().next();
            assertTrue(best >= lp - 1e-12, "the best alternative is at least as likely as the character");
        }
        ScoreReport report = model.newScorer().score("text", text);
        assertEquals(report.predictions(), choices.size() - 1);
        assertEquals(report.perplexity(), Math.exp(nll / (choices.size() - 1)), report.perplexity() * 1e-9);

        GenerationSession plain = model.newSession();
        plain.feed(text);
        assertEquals(plain.generate(GenerationOptions.greedy(30), null).text(),
                scored.generate(GenerationOptions.greedy(30), null).text());
    }

    @Test
    void generatedCharactersCarryTheirLogProbabilities() {
        GenerationSession s = model.newSession();
        s.feed("the time machine");
        GenerationSession twin = model.newSession();
        twin.feed("the time machine");
        List<CharacterChoice> seen = new ArrayList<>();
        GenerationResult r = s.generate(GenerationOptions.builder().maxCharacters(20).temperature(0.8).seed(7)
                .logprobs(2).build(), ch -> seen.add(s.lastChoice().orElseThrow()));
        assertEquals(r.text(), seen.stream().map(CharacterChoice::character).collect(Collectors.joining()));
        // Each logprob is the temperature-1 distribution's, as feeding the same text scores it
        // (d2l preprocessing drops a trailing space from the text fed).
        List<CharacterChoice> rescored = twin.feedScored(r.text(), 2);
        assertTrue(rescored.size() >= seen.size() - 1, rescored.size() + " of " + seen.size());
        for (int i = 0; i < rescored.size(); i++) {
            assertEquals(rescored.get(i).logprob().orElseThrow(), seen.get(i).logprob().orElseThrow(), 1e-5);
            assertEquals(rescored.get(i).alternatives().keySet(), seen.get(i).alternatives().keySet());
        }
        GenerationSession quiet = model.newSession();
        quiet.feed("the time machine");
        quiet.generate(GenerationOptions.greedy(5), null);
        assertTrue(quiet.lastChoice().isEmpty(), "nothing is recorded unless asked");
    }

    static CharModel loadFresh() {
        try {
            return CharModel.loadDefault();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
