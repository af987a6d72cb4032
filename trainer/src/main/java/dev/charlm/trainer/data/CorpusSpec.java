package dev.charlm.trainer.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Which texts a corpus is made of and how they are read.
 *
 * @param training files to train on; the last holdout fraction of each is held out
 * @param evaluationOnly files whose held-out tails are scored but never trained on (the same
 *     tails they would have if trained on)
 * @param stripFrontMatter whether Project Gutenberg front matter is removed ({@link FrontMatter})
 * @param trainingCharacters at most this many training characters, taken as the same leading
 *     fraction of every file's training part; 0 for all
 */
public record CorpusSpec(List<Path> training, List<Path> evaluationOnly, boolean stripFrontMatter,
        long trainingCharacters) {

    public CorpusSpec {
        training = List.copyOf(training);
        evaluationOnly = List.copyOf(evaluationOnly);
        if (training.isEmpty()) {
            throw new IllegalArgumentException("no training data given");
        }
        if (trainingCharacters < 0) {
            throw new IllegalArgumentException("training characters must be >= 0, got " + trainingCharacters);
        }
    }

    /** Every file trained on, nothing else, front matter kept. */
    public static CorpusSpec of(List<Path> training) {
        return new CorpusSpec(training, List.of(), false, 0);
    }
}
