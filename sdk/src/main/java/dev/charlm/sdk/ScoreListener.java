package dev.charlm.sdk;

/** Progress of {@link PerplexityScorer#scoreAll}, called on the scoring thread; it may cancel. */
public interface ScoreListener {

    /** After every batched call: characters scored so far and inputs finished. */
    default void onProgress(long charactersScored, int inputsDone, int inputsTotal) {}

    /**
     * When an input is done, scored or failed; inputs finish in any order.
     *
     * @param index the input's position in the list given to the scorer
     */
    default void onInput(int index, ScoreOutcome outcome) {}

    /**
     * Asked after every batched call; true stops the scoring with a {@link
     * java.util.concurrent.CancellationException} (a client that went away, a deadline).
     */
    default boolean isCancelled() {
        return false;
    }
}
