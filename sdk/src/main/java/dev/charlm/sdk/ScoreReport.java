package dev.charlm.sdk;

import dev.charlm.contract.Json;
import dev.charlm.contract.Perplexity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The score of one text ({@link Perplexity}'s definition). A text of n characters after
 * preprocessing gives n - 1 predictions, in either mode.
 *
 * @param name the file or stream name
 * @param characters characters after preprocessing
 * @param predictions characters scored (characters - 1)
 * @param unknownCharacters characters outside the vocabulary, scored as {@code <unk>}
 * @param totalNll sum of the predictions' negative log-likelihoods, natural log
 * @param mode how the text was cut ({@link ScoringMode})
 * @param segmentBytes segment length in segmented mode, 0 in exact mode
 * @param warmupBytes warm-up length in segmented mode, 0 in exact mode
 * @param segments how many segments the text was scored in (1 in exact mode)
 */
public record ScoreReport(String name, long characters, long predictions, long unknownCharacters, double totalNll,
        ScoringMode mode, long segmentBytes, long warmupBytes, int segments) implements java.io.Serializable {

    /** A report of exact mode. */
    public ScoreReport(String name, long characters, long predictions, long unknownCharacters, double totalNll) {
        this(name, characters, predictions, unknownCharacters, totalNll, ScoringMode.EXACT, 0, 0, 1);
    }

    /** exp(mean cross-entropy). */
    public double perplexity() {
        return Perplexity.of(totalNll, predictions);
    }

    /** Mean cross-entropy in bits. */
    public double bitsPerCharacter() {
        return Perplexity.bitsPerCharacter(totalNll, predictions);
    }

    /** The score of several texts together (total NLL over total predictions), in their mode. */
    public static ScoreReport total(String name, Iterable<ScoreReport> reports) {
        long chars = 0;
        long preds = 0;
        long unk = 0;
        double nll = 0;
        int segments = 0;
        ScoreReport first = null;
        for (ScoreReport r : reports) {
            first = first == null ? r : first;
            chars += r.characters;
            preds += r.predictions;
            unk += r.unknownCharacters;
            nll += r.totalNll;
            segments += r.segments;
        }
        return first == null ? new ScoreReport(name, 0, 0, 0, 0)
                : new ScoreReport(name, chars, preds, unk, nll, first.mode, first.segmentBytes, first.warmupBytes, segments);
    }

    /**
     * The JSON object every front end prints for one text's score (the CLI's {@code --json}
     * lines, the HTTP API, the Spark job): file, perplexity, bits_per_char, mode, characters,
     * predictions, unknown; numbers at full precision. Totals are printed by {@link
     * ScoreOutput#totalJson}.
     */
    public String toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("file", name);
        putFigures(o);
        return Json.write(o);
    }

    /** The figures of the JSON forms, in their order. */
    void putFigures(Map<String, Object> o) {
        o.put("perplexity", perplexity());
        o.put("bits_per_char", bitsPerCharacter());
        o.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        o.put("characters", characters);
        o.put("predictions", predictions);
        o.put("unknown", unknownCharacters);
    }
}
