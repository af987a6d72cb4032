package dev.charlm.trainer.data;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.TextFiles;
import dev.charlm.contract.Vocabulary;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The training data: every file preprocessed, its last {@code holdout} fraction set aside, the
 * vocabulary built from the training parts only, and the training parts joined in file order.
 */
public final class Corpus {

    private final Preprocessing preprocessing;
    private final double holdout;
    private final List<SourceText> sources;
    private final Vocabulary vocabulary;
    private final int[] trainingTokens;

    private Corpus(Preprocessing preprocessing, double holdout, List<SourceText> sources, Vocabulary vocabulary) {
        this.preprocessing = preprocessing;
        this.holdout = holdout;
        this.sources = List.copyOf(sources);
        this.vocabulary = vocabulary;
        StringBuilder all = new StringBuilder();
        sources.forEach(s -> all.append(s.training()));
        this.trainingTokens = vocabulary.encode(all);
    }

    /**
     * Loads files (directories expand to their .txt files).
     *
     * @param vocabulary the vocabulary to use, or null to build one from the training parts
     * @throws InvalidTextException naming a file that is missing, empty, binary, not UTF-8, or too
     *     short to split
     */
    public static Corpus load(List<Path> paths, Preprocessing preprocessing, double holdout,
            Vocabulary vocabulary) throws InvalidTextException {
        if (!(holdout > 0 && holdout < 1)) {
            throw new IllegalArgumentException("--holdout must be in (0, 1), got " + holdout);
        }
        List<SourceText> sources = new ArrayList<>();
        for (Path path : paths) {
            for (Path file : TextFiles.expand(path)) {
                byte[] bytes = TextFiles.readBytes(file);
                String processed = preprocessing.apply(TextFiles.decode(file.toString(), bytes));
                sources.add(split(file, digest("SHA-256", bytes), processed, holdout));
            }
        }
        if (vocabulary == null) {
            StringBuilder training = new StringBuilder();
            sources.forEach(s -> training.append(s.training()));
            vocabulary = Vocabulary.build(training, preprocessing);
        }
        return new Corpus(preprocessing, holdout, sources, vocabulary);
    }

    /** Splits a preprocessed text at character (code point) {@code n - round(n * holdout)}. */
    static SourceText split(Path file, String sha256, String processed, double holdout)
            throws InvalidTextException {
        int n = processed.codePointCount(0, processed.length());
        int heldOut = (int) Math.round(n * holdout);
        int training = n - heldOut;
        // Two held-out characters make one prediction; a few windows of training make a batch.
        if (heldOut < 2 || training < 2) {
            throw new InvalidTextException(file, "has " + n + " characters after preprocessing,"
                    + " too few to split into training and held-out text");
        }
        int cut = processed.offsetByCodePoints(0, training);
        return new SourceText(file, sha256, processed.substring(0, cut), processed.substring(cut));
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** The held-out fraction of each file. */
    public double holdout() {
        return holdout;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The files in load order. */
    public List<SourceText> sources() {
        return sources;
    }

    /** Token ids of every file's training part, joined in file order. */
    public int[] trainingTokens() {
        return trainingTokens;
    }

    /** Hex digest of bytes with the named algorithm ({@code SHA-1}, {@code SHA-256}). */
    public static String digest(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
