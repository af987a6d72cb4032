package dev.charlm.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C or SIGTERM as a request to stop, not a kill: a JVM shutdown hook records the request
 * and holds the JVM's exit until the command has stopped its work and said what it has (for at
 * most {@code hold}); without it the JVM would exit as soon as Quarkus's own hook returns, cutting
 * the command off mid-sentence. Close it when the command is done.
 */
public final class Interruption implements AutoCloseable {

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private Interruption(Duration hold) {
        hook = new Thread(() -> {
            requested.set(true);
            try {
                finished.await(hold.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "charlm-interruption");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts watching; the JVM's exit waits for {@link #close()} at most {@code hold}. */
    public static Interruption watch(Duration hold) {
        return new Interruption(hold);
    }

    /** Whether Ctrl-C or SIGTERM has asked the process to stop. */
    public boolean requested() {
        return requested.get();
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running and returns now
        }
    }
}
