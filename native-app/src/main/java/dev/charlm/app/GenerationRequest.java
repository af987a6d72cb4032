package dev.charlm.app;

import dev.charlm.contract.InvalidFieldException;
import dev.charlm.sdk.GenerationOptions;
import java.util.List;
import java.util.Locale;

/**
 * What an HTTP client asks to generate, checked against what the server lets one request cost
 * ({@link Limits}). The values' own rules (a temperature >= 0, a top-p in (0, 1], ...) are
 * {@link GenerationOptions}'s; both refuse with an {@link InvalidFieldException} naming the
 * JSON field.
 *
 * @param prompt the text to continue
 * @param maxCharacters characters to generate
 * @param temperature 0 for greedy
 * @param topK 0 for no limit
 * @param topP 1 for no limit
 * @param seed the sampling seed, or null for a fresh one
 * @param stops stop strings
 */
record GenerationRequest(String prompt, int maxCharacters, double temperature, int topK, double topP, Long seed,
        List<String> stops) {

    /** What one request may ask for: the server's bounds, beyond the values' own rules. */
    record Limits(int maxCharacters, int maxPromptCharacters, int maxStops, int maxStopLength) {}

    GenerationRequest {
        stops = stops == null ? List.of() : List.copyOf(stops);
    }

    /**
     * The sdk's options, within the server's bounds.
     *
     * @throws InvalidFieldException naming the first field out of bounds or against its rule
     */
    GenerationOptions options(Limits limits) {
        if (prompt.length() > limits.maxPromptCharacters()) {
            throw new InvalidFieldException("prompt", String.format(Locale.ROOT,
                    "has %,d characters; at most %,d are accepted", prompt.length(), limits.maxPromptCharacters()));
        }
        if (maxCharacters < 0 || maxCharacters > limits.maxCharacters()) {
            throw new InvalidFieldException("max_characters", "must be in [0, " + limits.maxCharacters() + "], got "
                    + maxCharacters);
        }
        if (stops.size() > limits.maxStops()) {
            throw new InvalidFieldException("stop", "has " + stops.size() + " strings; at most " + limits.maxStops()
                    + " are accepted");
        }
        for (String s : stops) {
            if (s != null && s.length() > limits.maxStopLength()) {
                throw new InvalidFieldException("stop", "strings must be at most " + limits.maxStopLength()
                        + " characters long");
            }
        }
        GenerationOptions.Builder b = GenerationOptions.builder().maxCharacters(maxCharacters).temperature(temperature)
                .topK(topK).topP(topP).stopStrings(stops);
        if (seed != null) {
            b.seed(seed);
        }
        return b.build();
    }
}
