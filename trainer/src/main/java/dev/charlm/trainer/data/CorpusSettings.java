package dev.charlm.trainer.data;

import com.google.gson.JsonObject;

/**
 * How a corpus was read, as a checkpoint's metrics.json records it next to the run settings:
 * enough, with the list of files, to read it again exactly.
 *
 * @param holdout held-out fraction of each file
 * @param stripFrontMatter whether Project Gutenberg front matter was removed
 * @param trainingCharacters the training-size limit, 0 for none
 */
public record CorpusSettings(double holdout, boolean stripFrontMatter, long trainingCharacters) {

    public static CorpusSettings of(Corpus corpus) {
        return new CorpusSettings(corpus.holdout(), corpus.spec().stripFrontMatter(), corpus.spec().trainingCharacters());
    }

    /** Adds the settings to {@code into} (the "settings" object). */
    public void writeTo(JsonObject into) {
        into.addProperty("holdout", holdout);
        into.addProperty("strip_front_matter", stripFrontMatter);
        into.addProperty("training_characters", trainingCharacters);
    }

    /**
     * Reads {@link #writeTo}; older checkpoints lack the last two (nothing stripped, no limit).
     *
     * @throws IllegalArgumentException when the holdout is missing
     */
    public static CorpusSettings readFrom(JsonObject settings) {
        if (settings == null || !settings.has("holdout")) {
            throw new IllegalArgumentException("run settings lack holdout");
        }
        return new CorpusSettings(settings.get("holdout").getAsDouble(),
                settings.has("strip_front_matter") && settings.get("strip_front_matter").getAsBoolean(),
                settings.has("training_characters") ? settings.get("training_characters").getAsLong() : 0);
    }
}
