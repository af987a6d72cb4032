package dev.charlm.sdk;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/**
 * The scores of a stream of records, handed out in input order ({@link
 * PerplexityScorer#scoreRecords}). Records are read only as batch rows free up, each is planned
 * into segments as a file is (exact within a record shorter than a segment), and the segments of
 * many records share the rows; a record's text is dropped once it is scored. Scores that finish
 * ahead of an earlier record wait for it, and no more than {@link #MAX_AHEAD} records are read
 * ahead of the one handed out next, so memory stays bounded whatever the stream's length.
 *
 * <p>Not thread-safe. Computation happens in {@link #hasNext()}; close to release the rows of an
 * iteration stopped early.
 */
public final class RecordScores implements Iterator<RecordScore>, AutoCloseable {

    /** Most records read but not yet handed out. */
    public static final int MAX_AHEAD = 4096;

    /** A record being scored: its segments' scores so far. */
    private static final class InFlight {
        final long sequence;
        final TextRecord record;
        final TextSource source;
        final List<SegmentScore> parts = new ArrayList<>();
        int pending;

        InFlight(long sequence, TextRecord record, TextSource source) {
            this.sequence = sequence;
            this.record = record;
            this.source = source;
        }
    }

    private final Iterator<TextRecord> records;
    private final ScoreListener listener;
    private final CharModel model;
    private final ScoringOptions options;
    private final ScoringRun run;
    private final Deque<TextSegment> pending = new ArrayDeque<>();
    /** Records being scored, by the text index their segments carry. */
    private final Map<Integer, InFlight> scoring = new HashMap<>();
    /** Scores waiting for every earlier record's, by sequence. */
    private final Map<Long, RecordScore> finished = new HashMap<>();
    private long read;
    private long handedOut;

    RecordScores(CharModel model, ScoringOptions options, Iterator<TextRecord> records, ScoreListener listener) {
        this.records = records;
        this.listener = listener != null ? listener : new ScoreListener() {};
        this.model = model;
        this.options = options;
        this.run = new ScoringRun(model, options, new Feed(), this::scored);
    }

    /** The rows' feed: pending segments, else the next record's. */
    private final class Feed implements ScoringRun.Feed {
        @Override
        public TextSegment next() {
            while (pending.isEmpty() && read - handedOut < MAX_AHEAD && records.hasNext()) {
                TextRecord r = records.next();
                long sequence = read++;
                if (r.failure().isPresent()) {
                    finished.put(sequence, RecordScore.of(r, ScoreOutcome.failed(r.name(), r.failure().get())));
                    continue;
                }
                int text = (int) (sequence % Integer.MAX_VALUE);
                InFlight f = new InFlight(sequence, r, TextSource.of(r.name(), r.utf8()));
                List<TextSegment> plan = options.plan(text, OptionalLong.of(r.utf8().length));
                f.pending = plan.size();
                scoring.put(text, f);
                pending.addAll(plan);
            }
            return pending.poll();
        }

        @Override
        public TextSource source(int text) {
            return scoring.get(text).source;
        }

        @Override
        public OptionalLong size(int text) throws IOException {
            return scoring.get(text).source.size();
        }

        @Override
        public boolean hasMore() {
            return !pending.isEmpty() || (read - handedOut < MAX_AHEAD && records.hasNext());
        }
    }

    private void scored(SegmentScore score) {
        int text = score.segment().text();
        InFlight f = scoring.get(text);
        f.parts.add(score);
        if (--f.pending == 0) {
            scoring.remove(text);
            finished.put(f.sequence, RecordScore.of(f.record, PerplexityScorer.combine(f.record.name(), f.parts, options,
                    model.info().preprocessing())));
        }
    }

    /**
     * Computes until the next record's score is in.
     *
     * @throws java.util.concurrent.CancellationException if the listener cancelled the work
     */
    @Override
    public boolean hasNext() {
        while (!finished.containsKey(handedOut)) {
            if (listener.isCancelled()) {
                throw new java.util.concurrent.CancellationException("scoring was cancelled");
            }
            if (!run.step()) {
                // No row is busy and the feed has nothing: every record read has been scored.
                return finished.containsKey(handedOut);
            }
            listener.onProgress(run.predictions(), (int) Math.min(Integer.MAX_VALUE, handedOut), -1);
        }
        return true;
    }

    @Override
    public RecordScore next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return finished.remove(handedOut++);
    }

    /** Predictions computed so far, for progress. */
    public long predictions() {
        return run.predictions();
    }

    /** Records handed out so far. */
    public long handedOut() {
        return handedOut;
    }

    @Override
    public void close() {
        run.close();
    }
}
