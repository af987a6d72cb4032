package dev.charlm.sdk;

import dev.charlm.contract.InvalidFieldException;
import java.util.List;

/**
 * How to pick characters. Immutable; build with {@link #builder()}, whose setters refuse a bad
 * value with an {@link InvalidFieldException} naming the field ({@code top_p}, ...).
 *
 * <p>Temperature 0 is greedy: d2l's {@code predict_ch8} argmax over the whole vocabulary. Above
 * 0, characters are drawn from softmax(logits / temperature), restricted to the {@code topK}
 * most likely (0: no limit) and to the smallest set whose probability reaches {@code topP} (1:
 * no limit); {@code <unk>} is never drawn. The same seed gives the same text.
 */
public final class GenerationOptions {

    private final double temperature;
    private final int topK;
    private final double topP;
    private final long seed;
    private final int maxCharacters;
    private final List<String> stopStrings;
    private final int logprobs;

    private GenerationOptions(Builder b) {
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
        this.seed = b.seed;
        this.maxCharacters = b.maxCharacters;
        this.stopStrings = List.copyOf(b.stopStrings);
        this.logprobs = b.logprobs;
    }

    /** Greedy decoding of {@code maxCharacters} characters. */
    public static GenerationOptions greedy(int maxCharacters) {
        return builder().maxCharacters(maxCharacters).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public double temperature() {
        return temperature;
    }

    public int topK() {
        return topK;
    }

    public double topP() {
        return topP;
    }

    public long seed() {
        return seed;
    }

    public int maxCharacters() {
        return maxCharacters;
    }

    public List<String> stopStrings() {
        return stopStrings;
    }

    /**
     * How many alternatives to record with each chosen character's log-probability ({@link
     * GenerationSession#lastChoice()}); -1: none recorded (the default, and free).
     */
    public int logprobs() {
        return logprobs;
    }

    /** Builder of {@link GenerationOptions}; defaults: greedy, 100 characters, no stop strings. */
    public static final class Builder {
        private double temperature;
        private int topK;
        private double topP = 1.0;
        private long seed = System.nanoTime();
        private int maxCharacters = 100;
        private List<String> stopStrings = List.of();
        private int logprobs = -1;

        private Builder() {}

        /** 0 for greedy; must be >= 0. */
        public Builder temperature(double temperature) {
            if (!(temperature >= 0) || Double.isInfinite(temperature)) {
                throw new InvalidFieldException("temperature", "must be a finite number >= 0, got " + temperature);
            }
            this.temperature = temperature;
            return this;
        }

        /** Keep only the k most likely characters; 0 means no limit. */
        public Builder topK(int k) {
            if (k < 0) {
                throw new InvalidFieldException("top_k", "must be >= 0, got " + k);
            }
            this.topK = k;
            return this;
        }

        /** Nucleus sampling threshold in (0, 1]. */
        public Builder topP(double p) {
            if (!(p > 0 && p <= 1)) {
                throw new InvalidFieldException("top_p", "must be in (0, 1], got " + p);
            }
            this.topP = p;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder maxCharacters(int n) {
            if (n < 0) {
                throw new InvalidFieldException("max_characters", "must be >= 0, got " + n);
            }
            this.maxCharacters = n;
            return this;
        }

        /** Generation ends once the text ends with any of these (non-empty) strings. */
        public Builder stopStrings(List<String> stops) {
            for (String s : stops) {
                if (s == null || s.isEmpty()) {
                    throw new InvalidFieldException("stop", "strings must be non-empty");
                }
            }
            this.stopStrings = List.copyOf(stops);
            return this;
        }

        /**
         * Records each chosen character's log-probability and the {@code top} most likely
         * alternatives, for {@link GenerationSession#lastChoice()}; -1 records nothing.
         */
        public Builder logprobs(int top) {
            if (top < -1) {
                throw new InvalidFieldException("logprobs", "must be >= 0 (or -1 for none), got " + top);
            }
            this.logprobs = top;
            return this;
        }

        public GenerationOptions build() {
            return new GenerationOptions(this);
        }
    }
}
