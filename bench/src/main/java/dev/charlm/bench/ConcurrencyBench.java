package dev.charlm.bench;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.charlm.sdk.GenerationSession;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.StepBatcher;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Side by side in one run: aggregate characters/s of N concurrent streams: (a) each stream a
 * thread with its own session, one ONNX Runtime call per step per stream; (b) the same threads
 * with {@link StepBatcher} sessions (steps batched, two thread switches per character); (c)
 * {@link StepBatcher#submit}, the worker driving all streams (continuous batching). Then heap and
 * resident memory with 10,000 live sessions. Prints a table of medians. Usage: {@code ./charlm bench concurrency [seconds-per-run] [runs]}.
 */
public final class ConcurrencyBench {

    static final int[] STREAMS = {1, 8, 32, 128};

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "concurrent streams, default model, %d cores, %.0f s per run, median of %d runs%n",
                cores, seconds, runs);
        System.out.printf("%8s %18s %18s %18s %18s %10s%n", "streams", "unbatched chars/s",
                "batched steps", "submitted", "submitted, lanes", "best/unb.");
        try (CharModel single = CharModel.loadDefault(ModelOptions.builder().intraOpThreads(1).prefixCacheEntries(0).build());
                CharModel multi = CharModel.loadDefault(ModelOptions.builder().intraOpThreads(cores).prefixCacheEntries(0).build())) {
            for (int n : STREAMS) {
                double[] plain = new double[runs];
                double[] batched = new double[runs];
                double[] submitted = new double[runs];
                double[] laned = new double[runs];
                for (int r = 0; r < runs; r++) {
                    plain[r] = measure(n, seconds, single::newSession);
                    // Step batching closes a batch when maxBatch steps are in or maxWait passes: size it
                    // to the number of streams, as a server that knows its concurrency would.
                    try (StepBatcher batcher = StepBatcher.create(multi, n, Duration.ofMillis(2))) {
                        batched[r] = measure(n, seconds, batcher::newSession);
                    }
                    try (StepBatcher batcher = StepBatcher.create(multi, 128, Duration.ofMillis(2))) {
                        submitted[r] = measureSubmitted(n, seconds, multi, batcher);
                    }
                    // One lane per core, each with a one-thread model call.
                    try (StepBatcher batcher = StepBatcher.create(single, 128, Duration.ofMillis(2), cores)) {
                        laned[r] = measureSubmitted(n, seconds, single, batcher);
                    }
                }
                double p = median(plain);
                double best = Math.max(median(submitted), median(laned));
                System.out.printf(Locale.ROOT, "%8d %18.0f %18.0f %18.0f %18.0f %9.2fx%n", n, p, median(batched),
                        median(submitted), median(laned), best / p);
            }
            liveSessions(single, 10_000);
        }
    }

    /** Aggregate characters per second of {@code n} threads generating for {@code seconds}. */
    static double measure(int n, double seconds, Supplier<GenerationSession> sessions) throws InterruptedException {
        LongAdder characters = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int seed = i;
            Thread t = new Thread(() -> {
                GenerationSession s = sessions.get();
                s.feed("the time traveller");
                Iterator<String> it = s.iterator(GenerationOptions.builder().temperature(0.8).seed(seed)
                        .maxCharacters(Integer.MAX_VALUE).build());
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (!stop.get()) {
                    it.next();
                    characters.increment();
                }
            });
            t.start();
            threads.add(t);
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        Thread.sleep((long) (seconds * 1000));
        long counted = characters.sum();
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        return counted / (elapsed / 1e9);
    }

    /** Aggregate characters per second of {@code n} generations submitted to the batcher. */
    static double measureSubmitted(int n, double seconds, CharModel model, StepBatcher batcher) throws InterruptedException {
        LongAdder characters = new LongAdder();
        for (int i = 0; i < n; i++) {
            GenerationSession s = model.newSession();
            s.feed("the time traveller");
            batcher.submit(s, GenerationOptions.builder().temperature(0.8).seed(i).maxCharacters(Integer.MAX_VALUE).build(),
                    ch -> characters.increment());
        }
        Thread.sleep(200); // all running
        long c0 = characters.sum();
        long start = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long counted = characters.sum() - c0;
        return counted / ((System.nanoTime() - start) / 1e9);
    }

    static void liveSessions(CharModel model, int count) throws IOException {
        System.gc();
        long heapBefore = usedHeap();
        long rssBefore = rssKb();
        List<GenerationSession> sessions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            GenerationSession s = model.newSession();
            s.feed("the time traveller " + (i % 100));
            sessions.add(s);
        }
        System.gc();
        long heapAfter = usedHeap();
        long rssAfter = rssKb();
        System.out.printf(Locale.ROOT, "%n%d live sessions (each fed a prompt): heap +%.1f MB (%.0f bytes/session;"
                        + " the state is 2 x 2 x 256 + 28 floats = 4,208 bytes); resident %.0f MB before, %.0f MB after%n",
                count, (heapAfter - heapBefore) / 1e6, (heapAfter - heapBefore) / (double) count, rssBefore / 1e3,
                rssAfter / 1e3);
        sessions.clear();
    }

    static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
