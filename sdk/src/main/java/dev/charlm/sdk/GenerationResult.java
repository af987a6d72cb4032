package dev.charlm.sdk;

import java.util.Optional;

/**
 * A finished generation.
 *
 * @param text the generated characters (a matched stop string included, as it was streamed)
 * @param characters how many characters were generated
 * @param finishReason why it ended
 * @param stopString the stop string that ended it, if any
 * @param elapsedNanos wall time of the generation, feeding excluded
 */
public record GenerationResult(String text, int characters, FinishReason finishReason,
        Optional<String> stopString, long elapsedNanos) {

    /** Characters per second. */
    public double charactersPerSecond() {
        return elapsedNanos == 0 ? 0 : characters * 1e9 / elapsedNanos;
    }
}
