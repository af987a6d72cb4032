package dev.charlm.sdk;

import dev.charlm.contract.InvalidTextException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;

/**
 * Scores the perplexity of texts by {@link dev.charlm.contract.Perplexity}'s definition: every
 * character after the first predicted once, from the characters before it.
 *
 * <p>In {@link ScoringMode#SEGMENTED} mode (the default) a text longer than a segment is cut
 * into {@link TextSegment}s, each scored from a state warmed up on the text just before it, and
 * the segments of all texts are packed into the batch rows: a row that finishes takes the next
 * pending segment, so one long text spreads over every row and many small files share them.
 * {@link ScoringMode#EXACT} mode scores each text on one row with the state carried through the
 * whole text (the trainer's definition). Either way texts are read in blocks as their rows reach
 * them, so memory stays constant whatever their size.
 *
 * <p>Thread-safe when its model is; for throughput load the model with as many intra-op threads
 * as cores ({@link ModelOptions#forScoring()}).
 */
public final class PerplexityScorer {

    private final CharModel model;
    private final ScoringOptions options;

    PerplexityScorer(CharModel model, ScoringOptions options) {
        this.model = model;
        this.options = options;
    }

    public ScoringOptions options() {
        return options;
    }

    /** The same scorer with other options. */
    public PerplexityScorer withOptions(ScoringOptions newOptions) {
        return new PerplexityScorer(model, newOptions);
    }

    /** The same scorer with other batching: rows per call and (at most) characters per row per call. */
    public PerplexityScorer withBatching(int rows, int charactersPerCall) {
        return withOptions(options.toBuilder().rows(rows).charactersPerCall(charactersPerCall).build());
    }

    /**
     * Scores a file.
     *
     * @throws InvalidTextException if it is missing, unreadable, binary, not UTF-8 or too short
     */
    public ScoreReport score(Path file) throws IOException {
        return single(scoreAll(List.of(file), null).get(0));
    }

    /** Scores a stream, read to its end, not closed; a stream is scored in exact mode. */
    public ScoreReport score(String name, InputStream in) throws IOException {
        return single(scoreSources(List.of(TextSource.of(name, in)), null).get(0));
    }

    /**
     * Scores a string.
     *
     * @throws IllegalArgumentException if it has fewer than two characters after preprocessing
     */
    public ScoreReport score(String name, String text) {
        try {
            return single(scoreSources(List.of(TextSource.of(name, text.getBytes(StandardCharsets.UTF_8))), null)
                    .get(0));
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static ScoreReport single(ScoreOutcome o) throws InvalidTextException {
        if (o.failure().isPresent()) {
            throw o.failure().get();
        }
        return o.report().orElseThrow();
    }

    /**
     * Scores many files together. A file that cannot be scored gets an outcome with the reason;
     * the others are still scored. Outcomes are in input order.
     *
     * @param listener progress (may be null); it may also cancel the work
     */
    public List<ScoreOutcome> scoreAll(List<Path> files, ScoreListener listener) {
        List<TextSource> sources = new ArrayList<>(files.size());
        for (Path f : files) {
            sources.add(TextSource.of(f));
        }
        return scoreSources(sources, listener);
    }

    /**
     * Scores texts from any sources together (see {@link #scoreAll}).
     *
     * @throws CancellationException if the listener cancelled the work
     */
    public List<ScoreOutcome> scoreSources(List<TextSource> sources, ScoreListener listener) {
        ScoreListener heard = listener != null ? listener : new ScoreListener() {};
        ScoringRun.Sizes sizes = new ScoringRun.Sizes(sources);
        Texts texts = new Texts(sources, heard);
        List<TextSegment> segments = new ArrayList<>();
        for (int t = 0; t < sources.size(); t++) {
            try {
                OptionalLong size = sizes.of(t);
                if (size.isPresent() && size.getAsLong() == 0) {
                    throw new InvalidTextException(sources.get(t).name(), "file is empty");
                }
                List<TextSegment> plan = options.plan(t, size);
                texts.expect(t, plan.size());
                segments.addAll(plan);
            } catch (IOException e) {
                texts.failed(t, ScoringRun.invalid(sources.get(t).name(), e));
            }
        }
        try (ScoringRun run = new ScoringRun(model, options, ScoringRun.of(sources, sizes, segments), texts::scored)) {
            while (run.step()) {
                heard.onProgress(run.predictions(), texts.done(), sources.size());
                if (heard.isCancelled()) {
                    throw new CancellationException("scoring was cancelled");
                }
            }
        }
        return texts.outcomes();
    }

    /** Each text's segment scores as they come, and its outcome once the last one is in. */
    private final class Texts {
        private final List<TextSource> sources;
        private final ScoreListener listener;
        private final ScoreOutcome[] outcomes;
        private final List<List<SegmentScore>> parts = new ArrayList<>();
        private final int[] pending;
        private int done;

        Texts(List<TextSource> sources, ScoreListener listener) {
            this.sources = sources;
            this.listener = listener;
            this.outcomes = new ScoreOutcome[sources.size()];
            this.pending = new int[sources.size()];
            for (int t = 0; t < sources.size(); t++) {
                parts.add(new ArrayList<>());
            }
        }

        void expect(int text, int segments) {
            pending[text] = segments;
        }

        void failed(int text, InvalidTextException e) {
            complete(text, ScoreOutcome.failed(sources.get(text).name(), e));
        }

        void scored(SegmentScore score) {
            int t = score.segment().text();
            parts.get(t).add(score);
            if (--pending[t] == 0) {
                complete(t, combine(sources.get(t).name(), parts.get(t), options, model.info().preprocessing()));
                parts.set(t, null);
            }
        }

        private void complete(int text, ScoreOutcome outcome) {
            outcomes[text] = outcome;
            done++;
            listener.onInput(text, outcome);
        }

        int done() {
            return done;
        }

        List<ScoreOutcome> outcomes() {
            return List.of(outcomes);
        }
    }

    /**
     * Scores a stream of records (documents: lines of a file, JSON lines, a column's values),
     * each as its own text, handing the scores back in input order as they are computed. The
     * stream is read as the batch rows need more, so it can be any length; see {@link
     * RecordScores}. A record that cannot be scored gets its reason, and the rest go on.
     *
     * @param listener progress (records handed out; the total is -1, unknown) and cancellation; may be null
     */
    public RecordScores scoreRecords(Iterator<TextRecord> records, ScoreListener listener) {
        return new RecordScores(model, options, records, listener);
    }

    /** This scorer's segments of text number {@code text} ({@link ScoringOptions#plan}). */
    public List<TextSegment> plan(int text, OptionalLong size) {
        return options.plan(text, size);
    }

    /**
     * Scores segments planned elsewhere (a cluster's driver), packed into the batch rows; the
     * results are in the order of {@code segments}. Summed over a text's segments in order, they
     * give what {@link #scoreSources} reports for it.
     *
     * @param sources the texts the segments' {@link TextSegment#text()} indices point into
     */
    public List<SegmentScore> scoreSegments(List<TextSource> sources, List<TextSegment> segments) {
        java.util.IdentityHashMap<TextSegment, Integer> position = new java.util.IdentityHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            position.put(segments.get(i), i);
        }
        SegmentScore[] out = new SegmentScore[segments.size()];
        try (ScoringRun run = new ScoringRun(model, options,
                ScoringRun.of(sources, new ScoringRun.Sizes(sources), segments),
                score -> out[position.get(score.segment())] = score)) {
            while (run.step()) {
                // every row to its end
            }
        }
        return List.of(out);
    }

    /**
     * One text's outcome from the scores of all its segments, summed in segment order: what
     * {@link #scoreSources} reports, for callers that score segments elsewhere (a cluster's
     * executors) and add them up themselves.
     *
     * @param preprocessing the model's, for the message when nothing is left to score
     */
    public static ScoreOutcome combine(String name, List<SegmentScore> segments, ScoringOptions options,
            dev.charlm.contract.Preprocessing preprocessing) {
        List<SegmentScore> parts = new ArrayList<>(segments);
        parts.sort((a, b) -> Integer.compare(a.segment().index(), b.segment().index()));
        InvalidTextException failure = null;
        double nll = 0;
        long predictions = 0;
        long characters = 0;
        long unknown = 0;
        for (SegmentScore p : parts) {
            if (p.failure().isPresent()) {
                InvalidTextException e = p.failure().get();
                // The first problem in the text, as reading it from the start would find.
                if (failure == null || (e.offset() >= 0 && (failure.offset() < 0 || e.offset() < failure.offset()))) {
                    failure = e;
                }
                continue;
            }
            nll += p.totalNll();
            predictions += p.predictions();
            characters += p.characters();
            unknown += p.unknownCharacters();
        }
        if (failure == null && characters == 0) {
            failure = new InvalidTextException(name, "has no characters after "
                    + preprocessing.id() + " preprocessing; nothing to score");
        }
        if (failure == null && predictions == 0) {
            failure = new InvalidTextException(name, "has 1 character after preprocessing; at least 2 are needed to score");
        }
        if (failure != null) {
            return ScoreOutcome.failed(name, failure);
        }
        boolean segmented = options.mode() == ScoringMode.SEGMENTED;
        return ScoreOutcome.ok(new ScoreReport(name, characters, predictions, unknown, nll, options.mode(),
                segmented ? options.segmentBytes() : 0, segmented ? options.warmupBytes() : 0, parts.size()));
    }
}
