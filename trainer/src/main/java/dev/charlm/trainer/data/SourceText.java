package dev.charlm.trainer.data;

import java.nio.file.Path;

/**
 * One input file after preprocessing, split into a training head and a held-out tail.
 *
 * @param path the file
 * @param sha256 hex SHA-256 of the file's bytes
 * @param training preprocessed characters used for training (the first 1 - holdout)
 * @param heldOut preprocessed characters never trained on (the last holdout fraction)
 */
public record SourceText(Path path, String sha256, String training, String heldOut) {}
