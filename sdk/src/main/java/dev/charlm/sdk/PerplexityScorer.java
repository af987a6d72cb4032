package dev.charlm.sdk;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.sdk.internal.BatchStates;
import dev.charlm.sdk.internal.SegmentReaders;
import dev.charlm.sdk.internal.Softmax;
import dev.charlm.sdk.internal.TokenReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
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

    /** How far a segment is read ahead to count its steps: default segments with their warm-up fit. */
    private static final int LOOKAHEAD_CHARACTERS = 1 << 15;

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
        int n = sources.size();
        ScoreOutcome[] outcomes = new ScoreOutcome[n];
        List<List<SegmentScore>> parts = new ArrayList<>(n);
        int[] pending = new int[n];
        List<TextSegment> segments = new ArrayList<>();
        long[] sizes = new long[n];
        int[] done = {0};
        for (int t = 0; t < n; t++) {
            parts.add(new ArrayList<>());
            try {
                sizes[t] = sources.get(t).size();
                if (sizes[t] == 0) {
                    throw new InvalidTextException(sources.get(t).name(), "file is empty");
                }
                List<TextSegment> plan = plan(t, sizes[t]);
                segments.addAll(plan);
                pending[t] = plan.size();
            } catch (IOException e) {
                outcomes[t] = ScoreOutcome.failed(sources.get(t).name(), asInvalid(sources.get(t).name(), e));
                done[0]++;
                if (listener != null) {
                    listener.onInput(t, outcomes[t]);
                }
            }
        }
        run(sources, sizes, segments, listener, score -> {
            int t = score.segment().text();
            parts.get(t).add(score);
            if (--pending[t] == 0) {
                outcomes[t] = combine(sources.get(t).name(), parts.get(t), options, model.info().preprocessing());
                parts.set(t, null);
                done[0]++;
                if (listener != null) {
                    listener.onInput(t, outcomes[t]);
                }
            }
        }, () -> done[0], n);
        return List.of(outcomes);
    }

    /** This scorer's segments of text number {@code text} of {@code size} bytes (-1: unknown). */
    public List<TextSegment> plan(int text, long size) {
        if (options.mode() == ScoringMode.EXACT) {
            return TextSegment.plan(text, size, Long.MAX_VALUE, 0);
        }
        return TextSegment.plan(text, size, options.segmentBytes(), options.warmupBytes());
    }

    /**
     * Scores segments planned elsewhere (a cluster's driver), packed into the batch rows; the
     * results are in the order of {@code segments}. Summed over a text's segments in order, they
     * give what {@link #scoreSources} reports for it.
     *
     * @param sources the texts the segments' {@link TextSegment#text()} indices point into
     */
    public List<SegmentScore> scoreSegments(List<TextSource> sources, List<TextSegment> segments) {
        long[] sizes = new long[sources.size()];
        java.util.Arrays.fill(sizes, -2); // read when a segment of the text is first opened
        java.util.IdentityHashMap<TextSegment, Integer> position = new java.util.IdentityHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            position.put(segments.get(i), i);
        }
        SegmentScore[] out = new SegmentScore[segments.size()];
        run(sources, sizes, segments, null, score -> out[position.get(score.segment())] = score, () -> 0, 0);
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

    private static InvalidTextException asInvalid(String name, IOException e) {
        if (e instanceof InvalidTextException invalid) {
            return invalid;
        }
        return new InvalidTextException(name, "cannot be read (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    }

    private interface SegmentSink {
        void accept(SegmentScore score);
    }

    private interface Counter {
        int get();
    }

    /** One batch row: a segment being read and its carried state. */
    private static final class Row {
        final TextSegment segment;
        final TokenReader reader;
        /** Steps (tokens after the first) the segment has left, or -1 when it was too long to count ahead. */
        int left;
        final float[] h;
        final float[] c;
        int pending;
        double nll;
        long predictions;

        Row(TextSegment segment, TokenReader reader, int left, int stateSize, boolean lstm, int first) {
            this.segment = segment;
            this.reader = reader;
            this.left = left;
            this.h = new float[stateSize];
            this.c = lstm ? new float[stateSize] : null;
            this.pending = first;
        }

        SegmentScore score() {
            return new SegmentScore(segment, nll, predictions, reader.characters(), reader.unknownCharacters(),
                    Optional.empty());
        }
    }

    /**
     * Scores segments, {@code options.rows()} at a time: each row reads its segment chunk by
     * chunk with its state carried, and takes the next segment when it finishes.
     */
    private void run(List<TextSource> sources, long[] sizes, List<TextSegment> segments, ScoreListener listener,
            SegmentSink sink, Counter textsDone, int textsTotal) {
        ModelInfo info = model.info();
        int layers = info.layers();
        int hidden = info.hidden();
        int vocab = info.vocabulary().size();
        boolean lstm = info.hasCellState();
        int rows = options.rows();
        int maxChunk = options.charactersPerCall();
        Deque<TextSegment> queue = new ArrayDeque<>(segments);
        List<Row> active = new ArrayList<>(rows);
        long scored = 0;
        try {
            while (true) {
                while (active.size() < rows && !queue.isEmpty()) {
                    Row r = open(queue.poll(), sources, sizes, info, sink);
                    if (r != null) {
                        active.add(r);
                    }
                }
                if (active.isEmpty()) {
                    break;
                }
                int b = active.size();
                int chunk = callSteps(active, maxChunk);
                long[] tokens = new long[b * chunk];
                int[] targets = new int[b * chunk];
                boolean[] counted = new boolean[b * chunk];
                int[] lengths = new int[b];
                for (int i = 0; i < b; i++) {
                    Row r = active.get(i);
                    try {
                        tokens[i * chunk] = r.pending;
                        int t = 0;
                        while (t < chunk) {
                            int next = r.reader.next();
                            if (next < 0) {
                                break;
                            }
                            targets[i * chunk + t] = next;
                            counted[i * chunk + t] = r.reader.lastOwned();
                            if (t + 1 < chunk) {
                                tokens[i * chunk + t + 1] = next;
                            }
                            r.pending = next;
                            t++;
                        }
                        lengths[i] = t;
                    } catch (IOException e) {
                        lengths[i] = -1;
                        closeQuietly(r.reader);
                        sink.accept(SegmentScore.failed(r.segment, asInvalid(sources.get(r.segment.text()).name(), e)));
                    }
                }
                float[] h0 = new float[layers * b * hidden];
                float[] c0 = lstm ? new float[layers * b * hidden] : null;
                boolean any = false;
                for (int i = 0; i < b; i++) {
                    BatchStates.gather(active.get(i).h, h0, i, b, layers, hidden);
                    if (lstm) {
                        BatchStates.gather(active.get(i).c, c0, i, b, layers, hidden);
                    }
                    any |= lengths[i] > 0;
                }
                CharModel.Forward out = any ? model.forward(tokens, b, chunk, h0, c0) : null;
                List<Row> next = new ArrayList<>(b);
                for (int i = 0; i < b; i++) {
                    Row r = active.get(i);
                    int len = lengths[i];
                    if (len < 0) {
                        continue; // failed, already reported
                    }
                    if (r.left >= 0) {
                        r.left -= len;
                    }
                    for (int t = 0; t < len; t++) {
                        if (counted[i * chunk + t]) {
                            r.nll += Softmax.negativeLogLikelihood(out.logits(), (i * chunk + t) * vocab, vocab,
                                    targets[i * chunk + t]);
                            r.predictions++;
                            scored++;
                        }
                    }
                    boolean more = len == chunk;
                    if (more) {
                        try {
                            more = r.reader.remainingUpTo(0) != 0;
                        } catch (IOException e) {
                            closeQuietly(r.reader);
                            sink.accept(SegmentScore.failed(r.segment, asInvalid(sources.get(r.segment.text()).name(), e)));
                            continue;
                        }
                    }
                    if (more) {
                        BatchStates.scatter(out.hn(), r.h, i, b, layers, hidden);
                        if (lstm) {
                            BatchStates.scatter(out.cn(), r.c, i, b, layers, hidden);
                        }
                        next.add(r);
                    } else {
                        closeQuietly(r.reader);
                        sink.accept(r.score());
                    }
                }
                active = next;
                if (listener != null) {
                    listener.onProgress(scored, textsDone.get(), textsTotal);
                    if (listener.isCancelled()) {
                        throw new CancellationException("scoring was cancelled");
                    }
                }
            }
        } finally {
            for (Row r : active) {
                closeQuietly(r.reader);
            }
        }
    }

    /**
     * Steps of the next call: the configured length, or less when every row is known to end
     * sooner (the last call of a run, or of a text shorter than a call), so no step is computed
     * only to be dropped.
     */
    private static int callSteps(List<Row> active, int maxChunk) {
        int longest = 0;
        for (Row r : active) {
            if (r.left < 0 || r.left >= maxChunk) {
                return maxChunk;
            }
            longest = Math.max(longest, r.left);
        }
        return Math.max(1, longest);
    }

    /** Opens a segment's row; a segment that cannot be read or has no characters is reported here. */
    private Row open(TextSegment segment, List<TextSource> sources, long[] sizes, ModelInfo info, SegmentSink sink) {
        TextSource source = sources.get(segment.text());
        TokenReader reader = null;
        try {
            if (sizes[segment.text()] == -2) {
                sizes[segment.text()] = source.size();
            }
            reader = SegmentReaders.open(source, sizes[segment.text()], segment, info.preprocessing(),
                    info.vocabulary());
            int first = reader.next();
            int left = first < 0 ? 0 : reader.remainingUpTo(LOOKAHEAD_CHARACTERS);
            Row row = new Row(segment, reader, left, info.stateSize(), info.hasCellState(), first);
            if (left == 0) { // nothing to predict: no row needed
                closeQuietly(reader);
                sink.accept(row.score());
                return null;
            }
            return row;
        } catch (IOException e) {
            if (reader != null) {
                closeQuietly(reader);
            }
            sink.accept(SegmentScore.failed(segment, asInvalid(source.name(), e)));
            return null;
        }
    }

    private static void closeQuietly(TokenReader reader) {
        try {
            reader.close();
        } catch (IOException ignored) {
            // a read-only channel: nothing is lost
        }
    }
}
