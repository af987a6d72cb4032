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
 * Files that are only evaluated contribute their held-out tails and nothing else.
 */
public final class Corpus {

    private final Preprocessing preprocessing;
    private final double holdout;
    private final CorpusSpec spec;
    private final List<SourceText> sources;
    private final Vocabulary vocabulary;
    private final int[] trainingTokens;

    private Corpus(Preprocessing preprocessing, double holdout, CorpusSpec spec, List<SourceText> sources,
            Vocabulary vocabulary) {
        this.preprocessing = preprocessing;
        this.holdout = holdout;
        this.spec = spec;
        this.sources = List.copyOf(sources);
        this.vocabulary = vocabulary;
        StringBuilder all = new StringBuilder();
        sources.forEach(s -> all.append(s.training()));
        this.trainingTokens = vocabulary.encode(all);
    }

    /** Loads files to train on (directories expand to their .txt files), front matter kept. */
    public static Corpus load(List<Path> paths, Preprocessing preprocessing, double holdout,
            Vocabulary vocabulary) throws InvalidTextException {
        return load(CorpusSpec.of(paths), preprocessing, holdout, vocabulary);
    }

    /**
     * Loads a corpus.
     *
     * @param vocabulary the vocabulary to use, or null to build one from the training parts
     * @throws InvalidTextException naming a file that is missing, empty, binary, not UTF-8, or too
     *     short to split
     */
    public static Corpus load(CorpusSpec spec, Preprocessing preprocessing, double holdout,
            Vocabulary vocabulary) throws InvalidTextException {
        if (!(holdout > 0 && holdout < 1)) {
            throw new IllegalArgumentException("holdout must be in (0, 1), got " + holdout);
        }
        List<SourceText> sources = new ArrayList<>();
        for (Path path : spec.training()) {
            for (Path file : TextFiles.expand(path)) {
                sources.add(read(file, preprocessing, holdout, spec.stripFrontMatter(), true));
            }
        }
        for (Path path : spec.evaluationOnly()) {
            for (Path file : TextFiles.expand(path)) {
                sources.add(read(file, preprocessing, holdout, spec.stripFrontMatter(), false));
            }
        }
        if (spec.trainingCharacters() > 0) {
            sources = limit(sources, spec.trainingCharacters());
        }
        if (vocabulary == null) {
            StringBuilder training = new StringBuilder();
            sources.forEach(s -> training.append(s.training()));
            vocabulary = Vocabulary.build(training, preprocessing);
        }
        return new Corpus(preprocessing, holdout, spec, sources, vocabulary);
    }

    private static SourceText read(Path file, Preprocessing preprocessing, double holdout, boolean strip,
            boolean trained) throws InvalidTextException {
        byte[] bytes = TextFiles.readBytes(file);
        String text = TextFiles.decode(file.toString(), bytes);
        String processed = preprocessing.apply(strip ? FrontMatter.strip(text) : text);
        SourceText s = split(file, digest("SHA-256", bytes), processed, holdout);
        return trained ? s : new SourceText(s.path(), s.sha256(), "", s.heldOut(), false);
    }

    /**
     * Keeps at most {@code characters} training characters: the same leading fraction of every
     * file's training part, so that a smaller corpus is a prefix of each file of a larger one.
     */
    private static List<SourceText> limit(List<SourceText> sources, long characters) {
        long total = 0;
        for (SourceText s : sources) {
            total += s.training().codePointCount(0, s.training().length());
        }
        if (characters >= total) {
            return sources;
        }
        double fraction = (double) characters / total;
        List<SourceText> out = new ArrayList<>(sources.size());
        for (SourceText s : sources) {
            int n = s.training().codePointCount(0, s.training().length());
            int keep = (int) Math.floor(n * fraction);
            out.add(new SourceText(s.path(), s.sha256(), s.training().substring(0, s.training().offsetByCodePoints(0, keep)),
                    s.heldOut(), s.trained()));
        }
        return out;
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

    /** What the corpus was loaded from. */
    public CorpusSpec spec() {
        return spec;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The files in load order: the trained ones, then those only evaluated. */
    /** Each source's held-out tail as token ids of this corpus's vocabulary, in source order. */
    public List<int[]> heldOutTokens() {
        List<int[]> tails = new ArrayList<>(sources.size());
        for (SourceText s : sources) {
            tails.add(vocabulary.encode(s.heldOut()));
        }
        return tails;
    }

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
