package dev.charlm.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {

    static final List<String> PROMPTS = List.of("the time", "i saw", "weena", "the machine", "morlocks",
            "it was", "my friend", "the sun");

    @Test
    void manyThreadsWithManySessionsEachGetTheirOwnCorrectText() throws Exception {
        try (CharModel model = CharModel.loadDefault(ModelOptions.builder().prefixCacheEntries(0).build())) {
            Map<String, String> expected = new ConcurrentHashMap<>();
            for (String p : PROMPTS) {
                expected.put(p, model.newSession().generate(p, GenerationOptions.greedy(40), null).text());
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int offset = t;
                    futures.add(pool.submit(() -> {
                        // Each thread interleaves 4 sessions step by step.
                        List<GenerationSession> sessions = new ArrayList<>();
                        List<StringBuilder> texts = new ArrayList<>();
                        List<java.util.Iterator<String>> its = new ArrayList<>();
                        for (int s = 0; s < 4; s++) {
                            GenerationSession session = model.newSession();
                            session.feed(PROMPTS.get((offset + s) % PROMPTS.size()));
                            sessions.add(session);
                            texts.add(new StringBuilder());
                            its.add(session.iterator(GenerationOptions.greedy(40)));
                        }
                        for (int step = 0; step < 40; step++) {
                            for (int s = 0; s < 4; s++) {
                                texts.get(s).append(its.get(s).next());
                            }
                        }
                        int ok = 0;
                        for (int s = 0; s < 4; s++) {
                            assertEquals(expected.get(PROMPTS.get((offset + s) % PROMPTS.size())), texts.get(s).toString());
                            ok++;
                        }
                        return ok;
                    }));
                }
                int total = 0;
                for (Future<Integer> f : futures) {
                    total += f.get(120, TimeUnit.SECONDS);
                }
                assertEquals(32, total);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void closingWhileOtherThreadsGenerateGivesThemAClearException() throws Exception {
        CharModel model = CharModel.loadDefault();
        int threads = 4;
        CountDownLatch running = new CountDownLatch(threads);
        AtomicInteger closedErrors = new AtomicInteger();
        List<Throwable> other = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    GenerationSession s = model.newSession();
                    s.feed("the time traveller");
                    boolean counted = false;
                    while (true) {
                        s.generate(GenerationOptions.greedy(20), null);
                        model.newScorer().score("x", "the time traveller said");
                        if (!counted) {
                            running.countDown(); // this worker has been through its calls once
                            counted = true;
                        }
                    }
                } catch (ModelClosedException e) {
                    closedErrors.incrementAndGet();
                } catch (Throwable e) {
                    synchronized (other) {
                        other.add(e);
                    }
                }
            });
            w.start();
            workers.add(w);
        }
        assertTrue(running.await(60, TimeUnit.SECONDS));
        model.close();
        model.close(); // idempotent
        for (Thread w : workers) {
            w.join(60_000);
        }
        assertEquals(List.of(), other);
        assertEquals(threads, closedErrors.get());
        ModelClosedException e = assertThrows(ModelClosedException.class, model::newSession);
        assertEquals("model default model is closed", e.getMessage());
        assertInstanceOf(IllegalStateException.class, e);
    }
}
