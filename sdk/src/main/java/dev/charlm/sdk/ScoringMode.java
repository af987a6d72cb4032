package dev.charlm.sdk;

/** How a text is cut for scoring. */
public enum ScoringMode {
    /**
     * One batch row per text, the state carried from its first character to its last: the
     * trainer's definition of held-out perplexity. A long text scores at one row's speed.
     */
    EXACT,
    /**
     * Long texts cut into segments that are scored on all batch rows at once, each segment
     * warmed up on the text just before it ({@link TextSegment}); every character is still
     * predicted once. Differs from exact mode by at most 1e-6 relative with the defaults.
     */
    SEGMENTED
}
