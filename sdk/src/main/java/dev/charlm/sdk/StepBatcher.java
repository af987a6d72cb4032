package dev.charlm.sdk;

import dev.charlm.sdk.internal.BatchStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs the next steps of many concurrent sessions as one ONNX Runtime call. The recurrent state
 * is tiny (2 x layers x hidden floats per stream), so many live streams are cheap to keep, and a
 * batch-B step reads the weights once instead of B times.
 *
 * <p>Two ways in, served by the lanes' worker threads (one per lane) and mixed in the same calls:
 *
 * <ul>
 *   <li>{@link #submit}: the worker drives a whole generation (continuous batching): each round
 *       it samples the next character of every active generation, runs all their steps as one
 *       call (up to {@code maxBatch} per call) and hands each character to its callback, on the
 *       worker thread. Generations join and leave between rounds and never wait for company.
 *       This is the fast path: no thread switch per character.
 *   <li>{@link #newSession()}: sessions used from their own threads as usual; each step is
 *       handed to the worker, which runs the pending steps of up to {@code maxBatch} sessions
 *       together. A step waits at most {@code maxWait} for company, so a lone stream is slowed
 *       by at most that per character; every character costs two thread switches.
 * </ul>
 *
 * <p>Both give exactly the text an unbatched session gives for the same options (tested). Load
 * the model with as many intra-op threads as cores: the batched call is the computation.
 *
 * <p>Thread-safe. {@link #close()} stops the worker; steps waiting then, and later ones, fail
 * with {@link IllegalStateException}. It does not close the model.
 */
public final class StepBatcher implements AutoCloseable {

    private final CharModel model;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final Lane[] lanes;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private volatile boolean closed;

    /** What a lane's worker takes from its queue. */
    private sealed interface Work permits StepRequest, GenerationJob {}

    /** Where one stream's step reads its state from and writes its results to. */
    private record StreamState(float[] h, float[] c, float[] logits) {}

    /** One pending step of a session used from its own thread. */
    private static final class StepRequest implements Work {
        final int token;
        final StreamState state;
        final Thread waiter = Thread.currentThread();
        volatile boolean done;
        RuntimeException error;

        StepRequest(int token, StreamState state) {
            this.token = token;
            this.state = state;
        }
    }

    /** A generation the worker drives. */
    private static final class GenerationJob implements Work {
        final GenerationSession.Generation generation;
        final StreamState state;
        final Consumer<String> onCharacter;
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        int token;

        GenerationJob(GenerationSession session, GenerationSession.Generation generation, Consumer<String> onCharacter) {
            this.generation = generation;
            this.state = new StreamState(session.hiddenState(), session.cellState(), session.logits());
            this.onCharacter = onCharacter;
        }
    }

    private StepBatcher(CharModel model, int maxBatch, Duration maxWait, int laneCount) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive, got " + maxBatch);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must be >= 0, got " + maxWait);
        }
        if (laneCount < 1) {
            throw new IllegalArgumentException("lanes must be positive, got " + laneCount);
        }
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.lanes = new Lane[laneCount];
        for (int i = 0; i < laneCount; i++) {
            lanes[i] = new Lane(i);
        }
    }

    /**
     * A batcher over {@code model}.
     *
     * @param maxBatch most steps in one call
     * @param maxWait longest a step waits for others to join its call
     */
    public static StepBatcher create(CharModel model, int maxBatch, Duration maxWait) {
        return new StepBatcher(model, maxBatch, maxWait, 1);
    }

    /**
     * A batcher with {@code lanes} worker threads, each batching its own share of the streams:
     * while one lane is in ONNX Runtime another samples and copies, so on a multi-core machine
     * load the model with {@code intraOpThreads = cores / lanes} (e.g. 2 lanes of 1 thread on 2
     * cores). Generations go to the least loaded lane.
     */
    public static StepBatcher create(CharModel model, int maxBatch, Duration maxWait, int lanes) {
        return new StepBatcher(model, maxBatch, maxWait, lanes);
    }

    /** A session whose steps go through this batcher. */
    public GenerationSession newSession() {
        if (closed) {
            throw new IllegalStateException("step batcher is closed");
        }
        return model.newSession(this::step);
    }

    /**
     * Generates on the worker thread, batched with every other active generation: samples from
     * {@code session}'s state, steps it, and hands each character to {@code onCharacter} (called
     * on the worker thread: keep it short, e.g. append to a buffer). The session must be fed
     * first and must not be used by anyone else until the returned future completes. A callback
     * that throws ends that generation, exceptionally.
     */
    public CompletableFuture<GenerationResult> submit(GenerationSession session, GenerationOptions options,
            Consumer<String> onCharacter) {
        if (closed) {
            throw new IllegalStateException("step batcher is closed");
        }
        GenerationJob job = new GenerationJob(session, session.startGeneration(options), onCharacter);
        if (!job.generation.hasNext()) {
            job.result.complete(job.generation.result());
            return job.result;
        }
        Lane lane = lanes[0];
        for (Lane l : lanes) {
            if (l.load.get() < lane.load.get()) {
                lane = l;
            }
        }
        lane.load.incrementAndGet();
        Lane chosen = lane;
        job.result.whenComplete((r, e) -> chosen.load.decrementAndGet());
        lane.queue.add(job);
        return job.result;
    }

    /** Batched calls made so far. */
    public long calls() {
        return calls.get();
    }

    /** Mean steps per call so far. */
    public double meanBatchSize() {
        long n = calls.get();
        return n == 0 ? 0 : (double) steps.get() / n;
    }

    private void step(int token, float[] h, float[] c, float[] logits) {
        if (closed) {
            throw new IllegalStateException("step batcher is closed");
        }
        StepRequest r = new StepRequest(token, new StreamState(h, c, logits));
        lanes[(int) (Thread.currentThread().getId() % lanes.length)].queue.add(r);
        // The worker will write into our arrays, so the step cannot be abandoned: an interrupt
        // is remembered and restored once the step is done.
        boolean interrupted = false;
        while (!r.done) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (r.error != null) {
            throw r.error;
        }
    }

    /** One worker thread with its own queue and gather/scatter arrays. */
    private final class Lane {
        final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
        /** Generations submitted to this lane and not finished. */
        final AtomicInteger load = new AtomicInteger();
        final Thread worker;

        Lane(int index) {
            worker = new Thread(this::loop, "charlm-step-batcher-" + index);
            worker.setDaemon(true);
            worker.start();
        }

        private void loop() {
            List<GenerationJob> active = new ArrayList<>();
            List<StepRequest> requests = new ArrayList<>(maxBatch);
            while (!closed) {
                try {
                    // Idle: block for work. Busy: take whatever has arrived, without waiting.
                    Work first = active.isEmpty() ? queue.poll(100, TimeUnit.MILLISECONDS) : queue.poll();
                    if (first != null) {
                        accept(first, active, requests);
                    }
                    long deadline = System.nanoTime() + maxWaitNanos;
                    while (active.size() + requests.size() < maxBatch) {
                        Work next = queue.poll();
                        if (next == null) {
                            // Only lone step requests wait for company; running generations never do.
                            long left = deadline - System.nanoTime();
                            if (!active.isEmpty() || requests.isEmpty() || left <= 0) {
                                break;
                            }
                            next = queue.poll(left, TimeUnit.NANOSECONDS);
                            if (next == null) {
                                break;
                            }
                        }
                        accept(next, active, requests);
                    }
                    if (active.isEmpty() && requests.isEmpty()) {
                        continue;
                    }
                    round(active, requests);
                } catch (InterruptedException e) {
                    break;
                } catch (RuntimeException e) {
                    for (StepRequest r : requests) {
                        r.error = e;
                    }
                    for (GenerationJob j : active) {
                        j.result.completeExceptionally(e);
                    }
                    active.clear();
                } finally {
                    for (StepRequest r : requests) {
                        r.done = true;
                        LockSupport.unpark(r.waiter);
                    }
                    requests.clear();
                }
            }
            for (GenerationJob j : active) {
                j.result.completeExceptionally(new IllegalStateException("step batcher is closed"));
            }
            failPending();
        }

        private void accept(Work item, List<GenerationJob> active, List<StepRequest> requests) {
            if (item instanceof GenerationJob j) {
                active.add(j);
            } else if (item instanceof StepRequest r) {
                requests.add(r);
            }
        }

        /** One step for every active generation and pending request, maxBatch per call. */
        private void round(List<GenerationJob> active, List<StepRequest> requests) {
            List<StreamState> states = new ArrayList<>(active.size() + requests.size());
            int[] tokens = new int[active.size() + requests.size()];
            int n = 0;
            for (GenerationJob j : active) {
                j.token = j.generation.choose();
                tokens[n++] = j.token;
                states.add(j.state);
            }
            for (StepRequest r : requests) {
                tokens[n++] = r.token;
                states.add(r.state);
            }
            for (int from = 0; from < n; from += maxBatch) {
                run(tokens, states, from, Math.min(n, from + maxBatch));
            }
            for (Iterator<GenerationJob> it = active.iterator(); it.hasNext();) {
                GenerationJob j = it.next();
                try {
                    String ch = j.generation.finish(j.token);
                    if (j.onCharacter != null) {
                        j.onCharacter.accept(ch);
                    }
                    if (!j.generation.hasNext()) {
                        j.result.complete(j.generation.result());
                        it.remove();
                    }
                } catch (RuntimeException e) {
                    j.result.completeExceptionally(e);
                    it.remove();
                }
            }
        }

        // The worker's gather/scatter arrays, sized for maxBatch once (worker thread only).
        private long[] batchTokens;
        private float[] batchH;
        private float[] batchC;
        private float[] batchLogits;
        private float[] batchHOut;
        private float[] batchCOut;

        /** Runs rows [from, to) as one call, each row's state read from and written back to its arrays. */
        private void run(int[] allTokens, List<StreamState> states, int from, int to) {
            ModelInfo info = model.info();
            int b = to - from;
            int layers = info.layers();
            int hidden = info.hidden();
            int vocab = info.vocabulary().size();
            boolean lstm = info.hasCellState();
            if (batchTokens == null) {
                int state = layers * maxBatch * hidden;
                batchTokens = new long[maxBatch];
                batchH = new float[state];
                batchHOut = new float[state];
                batchC = lstm ? new float[state] : null;
                batchCOut = lstm ? new float[state] : null;
                batchLogits = new float[maxBatch * vocab];
            }
            for (int i = 0; i < b; i++) {
                StreamState s = states.get(from + i);
                batchTokens[i] = allTokens[from + i];
                BatchStates.gather(s.h(), batchH, i, b, layers, hidden);
                if (lstm) {
                    BatchStates.gather(s.c(), batchC, i, b, layers, hidden);
                }
            }
            model.stepBatch(b, batchTokens, batchH, batchC, batchLogits, batchHOut, batchCOut);
            for (int i = 0; i < b; i++) {
                StreamState s = states.get(from + i);
                System.arraycopy(batchLogits, i * vocab, s.logits(), 0, vocab);
                BatchStates.scatter(batchHOut, s.h(), i, b, layers, hidden);
                if (lstm) {
                    BatchStates.scatter(batchCOut, s.c(), i, b, layers, hidden);
                }
            }
            calls.incrementAndGet();
            steps.addAndGet(b);
        }

        private void failPending() {
            Work item;
            while ((item = queue.poll()) != null) {
                if (item instanceof GenerationJob j) {
                    j.result.completeExceptionally(new IllegalStateException("step batcher is closed"));
                } else if (item instanceof StepRequest r) {
                    r.error = new IllegalStateException("step batcher is closed");
                    r.done = true;
                    LockSupport.unpark(r.waiter);
                }
            }
        }
    }

    /** Stops the worker; waiting and later steps fail. Idempotent; leaves the model open. */
    @Override
    public void close() {
        closed = true;
        for (Lane lane : lanes) {
            lane.worker.interrupt();
        }
        for (Lane lane : lanes) {
            try {
                lane.worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lane.failPending();
        }
    }
}
