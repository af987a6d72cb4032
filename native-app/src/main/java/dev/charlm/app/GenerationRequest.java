package dev.charlm.app;

import dev.charlm.sdk.GenerationOptions;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What a client asks to generate, from the command line or from JSON, checked against the
 * server's or command's limits with messages in the caller's own terms ({@code --top-p} on the
 * command line, {@code field 'top_p'} over HTTP), then turned into {@link GenerationOptions}.
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

    /** What one request may ask for. */
    record Limits(int maxCharacters, int maxPromptCharacters, int maxStops, int maxStopLength) {
        /** The command line's: its user pays for what they ask. */
        static final Limits NONE = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /** How a caller names its parameters, from their JSON field names ("top_p"). */
    enum Naming {
        COMMAND_LINE(field -> "--" + switch (field) {
            case "max_characters" -> "length";
            case "stop" -> "stop";
            default -> field.replace('_', '-');
        }),
        JSON(field -> "field '" + field + "'");

        private final Function<String, String> name;

        Naming(Function<String, String> name) {
            this.name = name;
        }

        String name(String field) {
            return name.apply(field);
        }
    }

    GenerationRequest {
        stops = stops == null ? List.of() : List.copyOf(stops);
    }

    /**
     * Checks every parameter.
     *
     * @throws IllegalArgumentException naming the first bad parameter in {@code naming}'s terms
     */
    void check(Limits limits, Naming naming) {
        if (prompt.length() > limits.maxPromptCharacters()) {
            fail(naming, "prompt", String.format(Locale.ROOT, "has %,d characters; at most %,d are accepted",
                    prompt.length(), limits.maxPromptCharacters()));
        }
        if (maxCharacters < 0 || maxCharacters > limits.maxCharacters()) {
            fail(naming, "max_characters", limits.maxCharacters() == Integer.MAX_VALUE
                    ? "must be >= 0, got " + maxCharacters
                    : "must be in [0, " + limits.maxCharacters() + "], got " + maxCharacters);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            fail(naming, "temperature", "must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            fail(naming, "top_k", "must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            fail(naming, "top_p", "must be in (0, 1], got " + topP);
        }
        if (stops.size() > limits.maxStops()) {
            fail(naming, "stop", "has " + stops.size() + " strings; at most " + limits.maxStops() + " are accepted");
        }
        for (String s : stops) {
            if (s == null || s.isEmpty()) {
                fail(naming, "stop", "strings must be non-empty");
            }
            if (s.length() > limits.maxStopLength()) {
                fail(naming, "stop", "strings must be at most " + limits.maxStopLength() + " characters long");
            }
        }
    }

    private static void fail(Naming naming, String field, String problem) {
        throw new IllegalArgumentException(naming.name(field) + " " + problem);
    }

    /** The sdk's options; {@link #check} first. */
    GenerationOptions options() {
        GenerationOptions.Builder b = GenerationOptions.builder().maxCharacters(maxCharacters).temperature(temperature)
                .topK(topK).topP(topP).stopStrings(stops);
        if (seed != null) {
            b.seed(seed);
        }
        return b.build();
    }
}
