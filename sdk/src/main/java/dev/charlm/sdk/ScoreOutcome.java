package dev.charlm.sdk;

import dev.charlm.contract.InvalidTextException;
import java.util.Optional;

/**
 * The result for one input of {@link PerplexityScorer#scoreAll}: a report, or why the input
 * could not be scored (missing, unreadable, binary, invalid UTF-8, too short).
 *
 * @param name the input
 * @param report its score, when it could be scored
 * @param failure why not, otherwise (its message names the input)
 */
public record ScoreOutcome(String name, Optional<ScoreReport> report, Optional<InvalidTextException> failure) {

    static ScoreOutcome ok(ScoreReport r) {
        return new ScoreOutcome(r.name(), Optional.of(r), Optional.empty());
    }

    static ScoreOutcome failed(String name, InvalidTextException failure) {
        return new ScoreOutcome(name, Optional.empty(), Optional.of(failure));
    }

    public boolean succeeded() {
        return report.isPresent();
    }

    /** The failure's message, naming the input. */
    public Optional<String> error() {
        return failure.map(Throwable::getMessage);
    }
}
