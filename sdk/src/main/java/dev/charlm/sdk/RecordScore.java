package dev.charlm.sdk;

import dev.charlm.contract.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A record's score (or why it has none), with what names the record: its source, line and id
 * (the record's text is not kept).
 *
 * @param source the file or dataset it is from
 * @param line its line (1-based), or 0 when it has none
 * @param id the caller's id, or null
 * @param outcome its score or failure; the outcome's name is the record's
 */
public record RecordScore(String source, long line, Object id, ScoreOutcome outcome) {

    static RecordScore of(TextRecord record, ScoreOutcome outcome) {
        return new RecordScore(record.source(), record.line(), record.id().orElse(null), outcome);
    }

    public Optional<ScoreReport> report() {
        return outcome.report();
    }

    /**
     * The JSON line every front end writes for it: {@code file}, {@code line} (when it has one),
     * {@code id} (when given), then the figures of {@link ScoreReport#toJson} or {@code error}.
     */
    public String toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("file", source);
        if (line > 0) {
            o.put("line", line);
        }
        if (id != null) {
            o.put("id", id);
        }
        if (outcome.report().isPresent()) {
            outcome.report().get().putFigures(o);
        } else {
            o.put("error", outcome.failure().orElseThrow().problem());
        }
        return Json.write(o);
    }
}
