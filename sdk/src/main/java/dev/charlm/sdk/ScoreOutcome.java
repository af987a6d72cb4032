package dev.charlm.sdk;

import java.util.Optional;

/**
 * The result for one input of {@link PerplexityScorer#scoreAll}: a report, or the reason the
 * input could not be scored (missing, unreadable, binary, invalid UTF-8, too short).
 *
 * @param name the input
 * @param report its score, when it could be scored
 * @param error why not, otherwise
 */
public record ScoreOutcome(String name, Optional<ScoreReport> report, Optional<String> error) {

    static ScoreOutcome ok(ScoreReport r) {
        return new ScoreOutcome(r.name(), Optional.of(r), Optional.empty());
    }

    static ScoreOutcome failed(String name, String error) {
        return new ScoreOutcome(name, Optional.empty(), Optional.of(error));
    }

    public boolean succeeded() {
        return report.isPresent();
    }
}
