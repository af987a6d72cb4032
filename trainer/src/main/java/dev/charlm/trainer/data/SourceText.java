package dev.charlm.trainer.data;

import java.nio.file.Path;

/**
 * One input file after preprocessing, split into a training head and a held-out tail.
 *
 * @param path the file
 * @param sha256 hex SHA-256 of the file's bytes
 * @param training preprocessed characters trained on: the first (1 - holdout) of the text, cut
 *     to the corpus's training limit; empty for a file that is only evaluated
 * @param heldOut preprocessed characters never trained on (the last holdout fraction)
 * @param trained whether the file is trained on (else only its held-out tail is scored)
 */
public record SourceText(Path path, String sha256, String training, String heldOut, boolean trained) {

    public SourceText(Path path, String sha256, String training, String heldOut) {
        this(path, sha256, training, heldOut, true);
    }
}
