package dev.charlm.sdk;

/** Progress of {@link PerplexityScorer#scoreAll}; called on the scoring thread. */
public interface ScoreListener {

    /** After every batched call: characters scored so far and inputs finished. */
    default void onProgress(long charactersScored, int inputsDone, int inputsTotal) {}

    /** When an input is done, scored or failed. */
    default void onInput(ScoreOutcome outcome) {}
}
