package dev.charlm.sdk;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.sdk.internal.BatchStates;
import dev.charlm.sdk.internal.SegmentReaders;
import dev.charlm.sdk.internal.Softmax;
import dev.charlm.sdk.internal.TokenReader;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * One scoring run's batch rows: up to {@code options.rows()} segments at a time, each read chunk
 * by chunk with its state carried from call to call; a row that finishes hands its score to the
 * sink and takes the next segment its {@link Feed} gives. A segment that cannot be read is handed
 * over as a failed score, and the run goes on. Not thread-safe; close it to release the readers
 * of rows still open (a cancelled run).
 */
final class ScoringRun implements AutoCloseable {

    /**
     * Where the rows' segments come from: a fixed list, or texts read as rows free up (records of
     * a stream that is never held whole).
     */
    interface Feed {
        /** The next segment for a free row, or null if there is none now. */
        TextSegment next();

        /** The text a segment's {@link TextSegment#text()} names. */
        TextSource source(int text);

        /** Its size, asked of the source at most once. */
        OptionalLong size(int text) throws IOException;

        /** Whether more segments may come (a free row would find work). */
        boolean hasMore();
    }

    /** A fixed list of segments over a fixed list of texts. */
    static Feed of(List<TextSource> sources, Sizes sizes, List<TextSegment> segments) {
        Deque<TextSegment> pending = new ArrayDeque<>(segments);
        return new Feed() {
            @Override
            public TextSegment next() {
                return pending.poll();
            }

            @Override
            public TextSource source(int text) {
                return sources.get(text);
            }

            @Override
            public OptionalLong size(int text) throws IOException {
                return sizes.of(text);
            }

            @Override
            public boolean hasMore() {
                return !pending.isEmpty();
            }
        };
    }

    /** How far a segment is read ahead to count its steps: default segments with their warm-up fit. */
    private static final int LOOKAHEAD_CHARACTERS = 1 << 15;

    /** The sizes of the texts, each asked of its source once, when its first segment opens. */
    static final class Sizes {
        private final List<TextSource> sources;
        private final OptionalLong[] known;

        Sizes(List<TextSource> sources) {
            this.sources = sources;
            this.known = new OptionalLong[sources.size()];
        }

        OptionalLong of(int text) throws IOException {
            if (known[text] == null) {
                known[text] = sources.get(text).size();
            }
            return known[text];
        }
    }

    /** One batch row: a segment being read, its carried state and its sums so far. */
    private static final class Row {
        final TextSegment segment;
        final TokenReader reader;
        /** Steps (tokens after the first) the segment has left, when it was short enough to count ahead. */
        OptionalInt stepsLeft;
        final float[] h;
        final float[] c;
        /** The token that is the input of the row's next step. */
        int input;
        double nll;
        long predictions;

        Row(TextSegment segment, TokenReader reader, OptionalInt stepsLeft, int stateSize, boolean lstm, int first) {
            this.segment = segment;
            this.reader = reader;
            this.stepsLeft = stepsLeft;
            this.h = new float[stateSize];
            this.c = lstm ? new float[stateSize] : null;
            this.input = first;
        }

        SegmentScore score() {
            return new SegmentScore(segment, nll, predictions, reader.characters(), reader.unknownCharacters(),
                    Optional.empty());
        }

        /** Steps this row takes in a call of {@code max}: all it has left when that is fewer. */
        int stepsIn(int max) {
            return stepsLeft.isPresent() ? Math.min(max, stepsLeft.getAsInt()) : max;
        }
    }

    private final CharModel model;
    private final ModelInfo info;
    private final ScoringOptions options;
    private final Feed feed;
    private final Consumer<SegmentScore> sink;
    private List<Row> active;
    private long predictions;

    /**
     * @param feed the segments to score, in the order rows take them
     * @param sink receives each segment's score (or failure) as its row finishes
     */
    ScoringRun(CharModel model, ScoringOptions options, Feed feed, Consumer<SegmentScore> sink) {
        this.model = model;
        this.info = model.info();
        this.options = options;
        this.feed = feed;
        this.sink = sink;
        this.active = new ArrayList<>(options.rows());
    }

    /** Predictions counted so far. */
    long predictions() {
        return predictions;
    }

    /**
     * Fills the free rows with pending segments and runs one batched call.
     *
     * @return false when no segment is left to score
     */
    boolean step() {
        while (active.size() < options.rows()) {
            TextSegment next = feed.next();
            if (next == null) {
                break;
            }
            open(next);
        }
        if (active.isEmpty()) {
            return false;
        }
        int b = active.size();
        int layers = info.layers();
        int hidden = info.hidden();
        int vocab = info.vocabulary().size();
        int chunk = callSteps();
        long[] tokens = new long[b * chunk];
        int[] targets = new int[b * chunk];
        boolean[] counted = new boolean[b * chunk];
        int[] lengths = new int[b];
        boolean[] failed = new boolean[b];
        for (int i = 0; i < b; i++) {
            Row r = active.get(i);
            try {
                lengths[i] = read(r, tokens, targets, counted, i * chunk, chunk);
            } catch (IOException e) {
                failed[i] = true;
                fail(r, e);
            }
        }
        float[] h0 = new float[layers * b * hidden];
        float[] c0 = info.hasCellState() ? new float[layers * b * hidden] : null;
        boolean any = false;
        for (int i = 0; i < b; i++) {
            BatchStates.gather(active.get(i).h, h0, i, b, layers, hidden);
            if (c0 != null) {
                BatchStates.gather(active.get(i).c, c0, i, b, layers, hidden);
            }
            any |= !failed[i] && lengths[i] > 0;
        }
        CharModel.Forward out = any ? model.forward(tokens, b, chunk, h0, c0) : null;
        List<Row> next = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            if (failed[i]) {
                continue; // already handed over
            }
            Row r = active.get(i);
            int len = lengths[i];
            if (r.stepsLeft.isPresent()) {
                r.stepsLeft = OptionalInt.of(r.stepsLeft.getAsInt() - len);
            }
            for (int t = 0; t < len; t++) {
                int at = i * chunk + t;
                if (counted[at]) {
                    r.nll += Softmax.negativeLogLikelihood(out.logits(), at * vocab, vocab, targets[at]);
                    r.predictions++;
                    predictions++;
                }
            }
            boolean more;
            try {
                more = len == chunk && !r.reader.remainingWithin(0).equals(OptionalInt.of(0));
            } catch (IOException e) {
                fail(r, e);
                continue;
            }
            if (more) {
                BatchStates.scatter(out.hn(), r.h, i, b, layers, hidden);
                if (r.c != null) {
                    BatchStates.scatter(out.cn(), r.c, i, b, layers, hidden);
                }
                next.add(r);
            } else {
                finish(r);
            }
        }
        active = next;
        return true;
    }

    /**
     * Reads up to {@code chunk} of the row's steps into the batch at {@code offset}: each step's
     * input token, the token it predicts and whether that prediction is the segment's own.
     *
     * @return the steps read
     */
    private static int read(Row r, long[] tokens, int[] targets, boolean[] counted, int offset, int chunk)
            throws IOException {
        tokens[offset] = r.input;
        int t = 0;
        while (t < chunk) {
            int next = r.reader.next();
            if (next < 0) {
                break;
            }
            targets[offset + t] = next;
            counted[offset + t] = r.reader.lastOwned();
            if (t + 1 < chunk) {
                tokens[offset + t + 1] = next;
            }
            r.input = next;
            t++;
        }
        return t;
    }

    /**
     * Steps of the next call: the configured length, or less when every row is known to end
     * sooner (the last call of a run, or of a text shorter than a call), so no step is computed
     * only to be dropped. And while more segments wait, a call ends when its first row does (but
     * is never shorter than a quarter of the configured length): a row that finished mid-call
     * would otherwise idle to the call's end, which for texts of a few calls (records, short
     * files) is a tenth of the work.
     */
    private int callSteps() {
        int max = options.charactersPerCall();
        int longest = 0;
        int soonest = max;
        for (Row r : active) {
            int steps = r.stepsIn(max);
            longest = Math.max(longest, steps);
            soonest = Math.min(soonest, steps);
        }
        if (soonest < longest && feed.hasMore()) {
            return Math.max(1, Math.min(longest, Math.max(soonest, max / 4)));
        }
        return Math.max(1, longest);
    }

    /** Opens a segment's row; a segment that cannot be read, or has nothing to predict, is handed over here. */
    private void open(TextSegment segment) {
        TextSource source = feed.source(segment.text());
        TokenReader reader = null;
        try {
            reader = SegmentReaders.open(source, feed.size(segment.text()), segment, info.preprocessing(),
                    info.vocabulary());
            int first = reader.next();
            OptionalInt left = first < 0 ? OptionalInt.of(0) : reader.remainingWithin(LOOKAHEAD_CHARACTERS);
            Row row = new Row(segment, reader, left, info.stateSize(), info.hasCellState(), first);
            if (left.equals(OptionalInt.of(0))) {
                finish(row);
                return;
            }
            active.add(row);
        } catch (IOException e) {
            if (reader != null) {
                closeQuietly(reader);
            }
            sink.accept(SegmentScore.failed(segment, invalid(source.name(), e)));
        }
    }

    private void finish(Row r) {
        closeQuietly(r.reader);
        sink.accept(r.score());
    }

    private void fail(Row r, IOException e) {
        closeQuietly(r.reader);
        sink.accept(SegmentScore.failed(r.segment, invalid(feed.source(r.segment.text()).name(), e)));
    }

    /** An input problem as an {@link InvalidTextException} naming the text. */
    static InvalidTextException invalid(String name, IOException e) {
        if (e instanceof InvalidTextException known) {
            return known;
        }
        return new InvalidTextException(name, "cannot be read (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    }

    private static void closeQuietly(TokenReader reader) {
        try {
            reader.close();
        } catch (IOException ignored) {
            // a read-only channel: nothing is lost
        }
    }

    @Override
    public void close() {
        for (Row r : active) {
            closeQuietly(r.reader);
        }
        active = List.of();
    }
}
