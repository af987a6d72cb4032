package dev.charlm.sdk;

import dev.charlm.contract.InvalidTextException;
import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;

/**
 * The partial score of one segment: sums that add up, over a text's segments in order, to the
 * text's score ({@link ScoreReport}). Serializable, so that a cluster's executors can send it
 * back to the driver (the Spark job does).
 */
public final class SegmentScore implements Serializable {
    private static final long serialVersionUID = 1L;

    private final TextSegment segment;
    private final double totalNll;
    private final long predictions;
    private final long characters;
    private final long unknownCharacters;
    private final InvalidTextException failure;

    /**
     * @param segment the segment
     * @param totalNll sum of its predictions' negative log-likelihoods (natural log)
     * @param predictions characters it predicted
     * @param characters characters it owns after preprocessing
     * @param unknownCharacters of those, characters outside the vocabulary
     * @param failure why it could not be scored (invalid UTF-8, binary, unreadable), when it could not
     */
    public SegmentScore(TextSegment segment, double totalNll, long predictions, long characters,
            long unknownCharacters, Optional<InvalidTextException> failure) {
        this.segment = Objects.requireNonNull(segment, "segment");
        this.totalNll = totalNll;
        this.predictions = predictions;
        this.characters = characters;
        this.unknownCharacters = unknownCharacters;
        this.failure = failure.orElse(null);
    }

    static SegmentScore failed(TextSegment segment, InvalidTextException e) {
        return new SegmentScore(segment, 0, 0, 0, 0, Optional.of(e));
    }

    public TextSegment segment() {
        return segment;
    }

    public double totalNll() {
        return totalNll;
    }

    public long predictions() {
        return predictions;
    }

    public long characters() {
        return characters;
    }

    public long unknownCharacters() {
        return unknownCharacters;
    }

    public Optional<InvalidTextException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String toString() {
        return "SegmentScore[" + segment + (failure != null ? ", " + failure.getMessage()
                : ", nll " + totalNll + ", " + predictions + " predictions") + "]";
    }
}
