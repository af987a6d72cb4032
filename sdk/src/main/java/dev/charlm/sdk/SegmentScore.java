package dev.charlm.sdk;

import dev.charlm.contract.InvalidTextException;
import java.util.Optional;

/**
 * The partial score of one segment: sums that add up, over a text's segments in order, to the
 * text's score ({@link ScoreReport}).
 *
 * @param segment the segment
 * @param totalNll sum of its predictions' negative log-likelihoods (natural log)
 * @param predictions characters it predicted
 * @param characters characters it owns after preprocessing
 * @param unknownCharacters of those, characters outside the vocabulary
 * @param failure why it could not be scored (invalid UTF-8, binary, unreadable), when it could not
 */
public record SegmentScore(TextSegment segment, double totalNll, long predictions, long characters,
        long unknownCharacters, Optional<InvalidTextException> failure) {

    static SegmentScore failed(TextSegment segment, InvalidTextException e) {
        return new SegmentScore(segment, 0, 0, 0, 0, Optional.of(e));
    }
}
