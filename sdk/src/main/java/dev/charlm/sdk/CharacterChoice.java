package dev.charlm.sdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How likely the model found one character: its log-probability (natural log) under the
 * model's distribution for that position (temperature 1, whatever the sampling used), and the
 * most likely characters there with theirs, best first. The first character of a text fed to
 * a fresh session has no distribution before it: its log-probability is empty.
 *
 * @param character the character (as the model saw it, after preprocessing)
 * @param logprob its log-probability, or empty for a first character
 * @param alternatives the most likely characters at that position and their log-probabilities
 */
public record CharacterChoice(String character, OptionalDouble logprob, Map<String, Double> alternatives) {

    public CharacterChoice {
        alternatives = Collections.unmodifiableMap(new LinkedHashMap<>(alternatives));
    }

    /** Bits of surprise: -log2 p; empty for a first character. */
    public OptionalDouble surprisalBits() {
        return logprob.isPresent() ? OptionalDouble.of(-logprob.getAsDouble() / Math.log(2)) : OptionalDouble.empty();
    }
}
