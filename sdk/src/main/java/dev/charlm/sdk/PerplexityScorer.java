package dev.charlm.sdk;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.sdk.internal.BatchStates;
import dev.charlm.sdk.internal.TokenReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Scores the perplexity of texts with a model, the trainer's definition: each character
 * predicted from all before it, from a zero state carried through the whole text.
 *
 * <p>Texts are read in blocks and scored in chunks of {@code chunk} characters, carrying each
 * text's state from chunk to chunk, so memory stays constant whatever the size; up to {@code
 * batch} texts share one ONNX Runtime call (one row each), which is where the throughput comes
 * from. Thread-safe when its model is; for best throughput load the model with as many
 * intra-op threads as cores.
 */
public final class PerplexityScorer {

    static final int DEFAULT_BATCH = 32;
    static final int DEFAULT_CHUNK = 256;

    private final CharModel model;
    private final int batch;
    private final int chunk;

    PerplexityScorer(CharModel model, int batch, int chunk) {
        if (batch < 1 || chunk < 1) {
            throw new IllegalArgumentException("batch and chunk must be positive, got " + batch + " and " + chunk);
        }
        this.model = model;
        this.batch = batch;
        this.chunk = chunk;
    }

    /** The same scorer with other batching: texts per call and characters per text per call. */
    public PerplexityScorer withBatching(int textsPerCall, int charactersPerCall) {
        return new PerplexityScorer(model, textsPerCall, charactersPerCall);
    }

    /** Scores a file. */
    public ScoreReport score(Path file) throws IOException {
        return single(scoreAll(List.of(file), null).get(0));
    }

    /** Scores a stream (read to its end, not closed). */
    public ScoreReport score(String name, InputStream in) throws IOException {
        return single(run(List.of(new Source(name, () -> in, false)), null).get(0));
    }

    /** Scores a string. */
    public ScoreReport score(String name, String text) {
        try {
            return score(name, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Scores many files, batched together. A file that cannot be scored gets an outcome with the
     * reason; the others are still scored. Outcomes are in input order.
     *
     * @param listener progress, may be null
     */
    public List<ScoreOutcome> scoreAll(List<Path> files, ScoreListener listener) {
        List<Source> sources = new ArrayList<>();
        for (Path f : files) {
            sources.add(new Source(f.toString(), () -> open(f), true));
        }
        return run(sources, listener);
    }

    private static InputStream open(Path f) throws IOException {
        if (Files.isDirectory(f)) {
            throw new InvalidTextException(f, "is a directory, expected a text file");
        }
        try {
            return Files.newInputStream(f);
        } catch (NoSuchFileException e) {
            throw new InvalidTextException(f, "no such file");
        } catch (AccessDeniedException e) {
            throw new InvalidTextException(f, "cannot be read (permission denied)");
        }
    }

    private static ScoreReport single(ScoreOutcome o) throws InvalidTextException {
        if (o.error().isPresent()) {
            throw new InvalidTextException(o.name(), o.error().get().substring(o.name().length() + 2));
        }
        return o.report().orElseThrow();
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    private record Source(String name, Opener opener, boolean close) {}

    /** One row of the batch: a text being read and its carried state. */
    private static final class Row {
        final int index;
        final Source source;
        final InputStream in;
        final TokenReader reader;
        final float[] h;
        final float[] c;
        int pending;
        double nll;
        long predictions;

        Row(int index, Source source, InputStream in, TokenReader reader, int stateSize, boolean lstm, int first) {
            this.index = index;
            this.source = source;
            this.in = in;
            this.reader = reader;
            this.h = new float[stateSize];
            this.c = lstm ? new float[stateSize] : null;
            this.pending = first;
        }
    }

    private List<ScoreOutcome> run(List<Source> sources, ScoreListener listener) {
        ModelInfo info = model.info();
        int layers = info.layers();
        int hidden = info.hidden();
        int vocab = info.vocabulary().size();
        boolean lstm = info.hasCellState();
        ScoreOutcome[] outcomes = new ScoreOutcome[sources.size()];
        Deque<Integer> queue = new ArrayDeque<>();
        for (int i = 0; i < sources.size(); i++) {
            queue.add(i);
        }
        List<Row> rows = new ArrayList<>(batch);
        int[] done = {0};
        long scored = 0;
        try {
            while (true) {
                while (rows.size() < batch && !queue.isEmpty()) {
                    Row r = open(queue.poll(), sources, info, outcomes, listener, done);
                    if (r != null) {
                        rows.add(r);
                    }
                }
                if (rows.isEmpty()) {
                    break;
                }
                int b = rows.size();
                long[] tokens = new long[b * chunk];
                int[] targets = new int[b * chunk];
                int[] lengths = new int[b];
                for (int i = 0; i < b; i++) {
                    Row r = rows.get(i);
                    try {
                        tokens[i * chunk] = r.pending;
                        int t = 0;
                        while (t < chunk) {
                            int next = r.reader.next();
                            if (next < 0) {
                                break;
                            }
                            targets[i * chunk + t] = next;
                            if (t + 1 < chunk) {
                                tokens[i * chunk + t + 1] = next;
                            }
                            r.pending = next;
                            t++;
                        }
                        lengths[i] = t;
                    } catch (IOException e) {
                        lengths[i] = -1;
                        finish(r, outcomes, failure(r.source.name, e), listener, done);
                    }
                }
                float[] h0 = new float[layers * b * hidden];
                float[] c0 = lstm ? new float[layers * b * hidden] : null;
                for (int i = 0; i < b; i++) {
                    BatchStates.gather(rows.get(i).h, h0, i, b, layers, hidden);
                    if (lstm) {
                        BatchStates.gather(rows.get(i).c, c0, i, b, layers, hidden);
                    }
                }
                boolean any = false;
                for (int len : lengths) {
                    any |= len > 0;
                }
                CharModel.BatchOutput out = any ? model.run(tokens, b, chunk, h0, c0) : null;
                List<Row> next = new ArrayList<>(b);
                for (int i = 0; i < b; i++) {
                    Row r = rows.get(i);
                    int len = lengths[i];
                    if (len < 0) {
                        continue; // already failed
                    }
                    for (int t = 0; t < len; t++) {
                        r.nll += nll(out.logits(), (i * chunk + t) * vocab, vocab, targets[i * chunk + t]);
                    }
                    r.predictions += len;
                    scored += len;
                    if (len == chunk) {
                        BatchStates.scatter(out.hn(), r.h, i, b, layers, hidden);
                        if (lstm) {
                            BatchStates.scatter(out.cn(), r.c, i, b, layers, hidden);
                        }
                        next.add(r);
                    } else {
                        finish(r, outcomes, ScoreOutcome.ok(new ScoreReport(r.source.name, r.reader.characters(),
                                r.predictions, r.reader.unknownCharacters(), r.nll)), listener, done);
                    }
                }
                rows = next;
                if (listener != null) {
                    listener.onProgress(scored, done[0], sources.size());
                }
            }
        } finally {
            for (Row r : rows) {
                closeQuietly(r);
            }
        }
        return List.of(outcomes);
    }

    private Row open(int index, List<Source> sources, ModelInfo info, ScoreOutcome[] outcomes,
            ScoreListener listener, int[] done) {
        Source s = sources.get(index);
        InputStream in = null;
        try {
            in = s.opener.open();
            TokenReader reader = new TokenReader(in, s.name, info.preprocessing(), info.vocabulary());
            int first = reader.next();
            Row row = new Row(index, s, in, reader, info.stateSize(), info.hasCellState(), first);
            if (first < 0) {
                finish(row, outcomes, ScoreOutcome.failed(s.name, s.name
                        + ": has no characters after " + info.preprocessing().id() + " preprocessing; nothing to score"),
                        listener, done);
                return null;
            }
            return row;
        } catch (IOException e) {
            if (in != null && s.close) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the failure being reported matters more
                }
            }
            outcomes[index] = failure(s.name, e);
            done[0]++;
            if (listener != null) {
                listener.onInput(outcomes[index]);
            }
            return null;
        }
    }

    private static ScoreOutcome failure(String name, IOException e) {
        if (e instanceof InvalidTextException) {
            return ScoreOutcome.failed(name, e.getMessage());
        }
        return ScoreOutcome.failed(name, name + ": cannot be read (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    }

    private static void finish(Row r, ScoreOutcome[] outcomes, ScoreOutcome outcome, ScoreListener listener, int[] done) {
        ScoreOutcome o = outcome;
        if (o.report().isPresent() && o.report().get().predictions() == 0) {
            o = ScoreOutcome.failed(r.source.name, r.source.name
                    + ": has 1 character after preprocessing; at least 2 are needed to score");
        }
        outcomes[r.index] = o;
        done[0]++;
        closeQuietly(r);
        if (listener != null) {
            listener.onInput(o);
        }
    }

    private static void closeQuietly(Row r) {
        if (r.source.close) {
            try {
                r.in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** -log softmax(logits)[target] for one position. */
    private static double nll(float[] logits, int offset, int vocab, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[offset + v] - max);
        }
        return max + Math.log(sum) - logits[offset + target];
    }
}
