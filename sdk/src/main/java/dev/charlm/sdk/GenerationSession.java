package dev.charlm.sdk;

import dev.charlm.contract.ModelContract;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import dev.charlm.sdk.internal.Sampler;
import dev.charlm.sdk.internal.Softmax;
import dev.charlm.sdk.internal.Stepper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A conversation with a model: owns its hidden state, so text fed or generated is never
 * recomputed. {@link #feed} primes the state with text; {@link #generate} continues from it,
 * one model step per character, and every generated character is fed back, so feeding more text
 * or generating again continues the same text.
 *
 * <p>Holds no native resources (only a few KB of arrays), so it needs no closing. Not
 * thread-safe: use one session per thread, as many as wanted.
 */
public final class GenerationSession {

    /** Characters of a prompt fed per ONNX Runtime call: memory stays bounded for any prompt. */
    static final int FEED_CHUNK = 512;

    private final CharModel model;
    private final Stepper stepper;
    private final ModelInfo info;
    private final Vocabulary vocab;
    private final float[] h;
    private final float[] c;
    private final float[] logits;
    private boolean primed;
    private boolean fresh = true;
    private CharacterChoice lastChoice;

    GenerationSession(CharModel model, Stepper stepper) {
        this.model = model;
        this.stepper = stepper;
        this.info = model.info();
        this.vocab = info.vocabulary();
        this.h = new float[info.stateSize()];
        this.c = info.hasCellState() ? new float[info.stateSize()] : null;
        this.logits = new float[vocab.size()];
    }

    /**
     * Feeds text: it is preprocessed as in training, characters outside the vocabulary become
     * {@code <unk>}, and the state advances over it in batched calls of at most {@value
     * #FEED_CHUNK} characters (so memory does not grow with the prompt). A prompt fed to a fresh
     * session is looked up in the model's prefix cache first. For d2l models, text that starts
     * with a separator (space, newline, punctuation) after earlier text begins with one space.
     *
     * @return the characters the model saw
     */
    public String feed(String text) {
        String processed = info.preprocessing().apply(text);
        if (processed.isEmpty()) {
            return processed;
        }
        if (!fresh && info.preprocessing() == Preprocessing.D2L && !text.isEmpty() && !isAsciiLetter(text.charAt(0))) {
            processed = " " + processed;
        }
        if (fresh) {
            SessionSnapshot cached = model.prefixCache().get(processed);
            if (cached != null) {
                restore(cached);
                return processed;
            }
        }
        int[] ids = vocab.encode(processed);
        if (ids.length == 1) {
            stepper.step(ids[0], h, c, logits);
        } else {
            // In bounded calls carrying the state: the memory of a call grows with its length.
            for (int from = 0; from < ids.length; from += FEED_CHUNK) {
                int n = Math.min(FEED_CHUNK, ids.length - from);
                long[] tokens = new long[n];
                for (int i = 0; i < n; i++) {
                    tokens[i] = ids[from + i];
                }
                CharModel.Forward out = model.forward(tokens, 1, n, h, c);
                System.arraycopy(out.logits(), (n - 1) * logits.length, logits, 0, logits.length);
                System.arraycopy(out.hn(), 0, h, 0, h.length);
                if (c != null) {
                    System.arraycopy(out.cn(), 0, c, 0, c.length);
                }
            }
        }
        boolean wasFresh = fresh;
        primed = true;
        fresh = false;
        if (wasFresh) {
            model.prefixCache().put(processed, snapshot());
        }
        return processed;
    }

    /**
     * Feeds text as {@link #feed} does and says how likely the model found each of its
     * characters (as the model saw them, after preprocessing): a {@link CharacterChoice} per
     * character, with the {@code top} most likely alternatives at each position. The first
     * character of a fresh session has nothing before it to be predicted from: its
     * log-probability is empty. The log-probabilities are the scorer's ({@link PerplexityScorer}):
     * a text's perplexity computed from them is the one it scores. Never served from the prefix
     * cache: the positions' distributions are what is asked for.
     */
    public List<CharacterChoice> feedScored(String text, int top) {
        String processed = info.preprocessing().apply(text);
        if (processed.isEmpty()) {
            return List.of();
        }
        if (!fresh && info.preprocessing() == Preprocessing.D2L && !text.isEmpty() && !isAsciiLetter(text.charAt(0))) {
            processed = " " + processed;
        }
        int[] ids = vocab.encode(processed);
        List<CharacterChoice> choices = new ArrayList<>(ids.length);
        int v = logits.length;
        int at = 0; // where the next character starts in processed
        for (int from = 0; from < ids.length; from += FEED_CHUNK) {
            int n = Math.min(FEED_CHUNK, ids.length - from);
            long[] tokens = new long[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = ids[from + i];
            }
            // The distribution before character i is the previous step's output (for the
            // chunk's first, the one the session holds).
            float[] before = logits;
            int offset = 0;
            CharModel.Forward out = model.forward(tokens, 1, n, h, c);
            for (int i = 0; i < n; i++) {
                int end = at + Character.charCount(processed.codePointAt(at));
                String ch = processed.substring(at, end);
                at = end;
                choices.add(primed || from + i > 0 ? choice(ch, ids[from + i], before, offset, top)
                        : new CharacterChoice(ch, OptionalDouble.empty(), Map.of()));
                before = out.logits();
                offset = i * v;
            }
            System.arraycopy(out.logits(), (n - 1) * v, logits, 0, v);
            System.arraycopy(out.hn(), 0, h, 0, h.length);
            if (c != null) {
                System.arraycopy(out.cn(), 0, c, 0, c.length);
            }
        }
        primed = true;
        fresh = false;
        return choices;
    }

    /** Token {@code id} as chosen from the distribution {@code logits[offset..offset+V)}, with the {@code top} best. */
    private CharacterChoice choice(String character, int id, float[] logits, int offset, int top) {
        int v = vocab.size();
        double logZ = Softmax.logNormalizer(logits, offset, v);
        Map<String, Double> alternatives = new LinkedHashMap<>();
        if (top > 0) {
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(logits[offset + b], logits[offset + a]));
            for (int r = 0; r < Math.min(top, v); r++) {
                alternatives.put(vocab.tokens().get(order[r]), logits[offset + order[r]] - logZ);
            }
        }
        return new CharacterChoice(character, OptionalDouble.of(logits[offset + id] - logZ), alternatives);
    }

    /**
     * The last character generated, with its log-probability, when the generation's options ask
     * for them ({@link GenerationOptions#logprobs()}); read it in the character callback.
     */
    public Optional<CharacterChoice> lastChoice() {
        return Optional.ofNullable(lastChoice);
    }

    private static boolean isAsciiLetter(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    }

    /** Feeds {@code prompt}, then generates; see {@link #generate(GenerationOptions, Consumer)}. */
    public GenerationResult generate(String prompt, GenerationOptions options, Consumer<String> onCharacter) {
        feed(prompt);
        return generate(options, onCharacter);
    }

    /**
     * Generates characters from the current state, handing each to {@code onCharacter} (may be
     * null) as soon as it is picked.
     *
     * @throws IllegalStateException if nothing has been fed yet
     */
    public GenerationResult generate(GenerationOptions options, Consumer<String> onCharacter) {
        Generation g = new Generation(options);
        while (g.hasNext()) {
            String ch = g.next();
            if (onCharacter != null) {
                onCharacter.accept(ch);
            }
        }
        return g.result();
    }

    /** The characters one by one, computed as they are taken. */
    public Iterator<String> iterator(GenerationOptions options) {
        return new Generation(options);
    }

    /** The characters as a lazy sequential stream. */
    public Stream<String> stream(GenerationOptions options) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(options),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** An immutable copy of the whole state. */
    public SessionSnapshot snapshot() {
        return new SessionSnapshot(model.fingerprint(), h, c, primed ? logits : null, fresh);
    }

    /**
     * Puts this session back in a snapshot's state.
     *
     * @throws IllegalArgumentException if the snapshot comes from a different model
     */
    public void restore(SessionSnapshot snapshot) {
        if (snapshot == null) {
            throw new IllegalArgumentException("snapshot is null");
        }
        if (snapshot.modelFingerprint() != model.fingerprint() || snapshot.h().length != h.length
                || (c == null) != (snapshot.c() == null) || (c != null && snapshot.c().length != c.length)
                || (snapshot.logits() != null && snapshot.logits().length != logits.length)) {
            // Checked whole before anything is copied: a refused snapshot leaves the session as it was.
            throw new IllegalArgumentException("snapshot was taken from a different model than " + info.source());
        }
        System.arraycopy(snapshot.h(), 0, h, 0, h.length);
        if (c != null) {
            System.arraycopy(snapshot.c(), 0, c, 0, c.length);
        }
        primed = snapshot.logits() != null;
        if (primed) {
            System.arraycopy(snapshot.logits(), 0, logits, 0, logits.length);
        }
        fresh = snapshot.fresh();
    }

    /** Whether any text has been fed, so that {@link #generate} has something to continue. */
    public boolean isPrimed() {
        return primed;
    }

    /** Next-character probabilities given everything fed so far (softmax of the logits). */
    public float[] nextCharacterProbabilities() {
        requirePrimed();
        double[] p = new double[logits.length];
        Softmax.probabilities(logits, 0, logits.length, 1.0, -1, p);
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) p[i];
        }
        return out;
    }

    private void requirePrimed() {
        if (!primed) {
            throw new IllegalStateException("nothing to continue from: feed() a prompt first");
        }
    }

    /** Starts a generation that a {@link StepBatcher} worker drives step by step. */
    Generation startGeneration(GenerationOptions options) {
        return new Generation(options);
    }

    float[] hiddenState() {
        return h;
    }

    float[] cellState() {
        return c;
    }

    float[] logits() {
        return logits;
    }

    /**
     * One generation: an iterator that computes a character per call. A step is {@link
     * #choose()} (sample from the current logits), the model step on that token (here, or
     * batched by a {@link StepBatcher}), then {@link #finish(int)} (stop strings, length).
     */
    final class Generation implements Iterator<String> {
        private final Sampler sampler;
        private final int logprobs;
        private final int max;
        private final List<String> stops;
        private final StringBuilder text;
        private final long start = System.nanoTime();
        private int count;
        private FinishReason finish;
        private String matched;
        private long elapsed;

        Generation(GenerationOptions o) {
            requirePrimed();
            this.sampler = new Sampler(vocab.size(), o.temperature(), o.topK(), o.topP(), o.seed(), ModelContract.UNK_ID);
            this.max = o.maxCharacters();
            this.logprobs = o.logprobs();
            this.stops = o.stopStrings();
            this.text = new StringBuilder(Math.min(max, 4096));
            if (max == 0) {
                end(FinishReason.LENGTH);
            }
        }

        @Override
        public boolean hasNext() {
            return finish == null;
        }

        @Override
        public String next() {
            int id = choose();
            stepper.step(id, h, c, logits);
            return finish(id);
        }

        /** Picks the next token from the current logits. */
        int choose() {
            if (finish != null) {
                throw new NoSuchElementException("generation finished: " + finish);
            }
            int id = sampler.next(logits);
            if (logprobs >= 0) {
                lastChoice = choice(vocab.tokens().get(id), id, logits, 0, logprobs);
            }
            return id;
        }

        /** Records a token whose step has been applied; returns its character. */
        String finish(int id) {
            String ch = vocab.token(id);
            count++;
            text.append(ch);
            for (String s : stops) {
                if (endsWith(text, s)) {
                    matched = s;
                    end(FinishReason.STOP_STRING);
                    return ch;
                }
            }
            if (count >= max) {
                end(FinishReason.LENGTH);
            }
            return ch;
        }

        private void end(FinishReason reason) {
            finish = reason;
            elapsed = System.nanoTime() - start;
        }

        GenerationResult result() {
            return new GenerationResult(text.toString(), count, finish, Optional.ofNullable(matched), elapsed);
        }
    }

    private static boolean endsWith(StringBuilder sb, String suffix) {
        int n = sb.length();
        int m = suffix.length();
        if (m > n) {
            return false;
        }
        for (int i = 0; i < m; i++) {
            if (sb.charAt(n - m + i) != suffix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
