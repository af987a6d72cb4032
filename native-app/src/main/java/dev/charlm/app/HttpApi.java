package dev.charlm.app;

import com.sun.net.httpserver.HttpServer;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.StepBatcher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP API of {@code charlm serve}, on the JDK's built-in server (it starts only for this
 * command, so {@code generate} and {@code score} start without an HTTP stack):
 *
 * <pre>
 * GET  /health        {"status":"ok", ...}                                   {@link HealthHandler}
 * POST /v1/generate   JSON in; server-sent events out                         {@link GenerateHandler}
 * POST /v1/score      a text/plain body, or multipart/form-data files; JSON out {@link ScoreHandler}
 * </pre>
 *
 * <p>What bounds the server ({@link Limits}): at most {@code maxConcurrent} requests compute at
 * once (a request's body is read and checked before it takes a slot), and a request that cannot
 * start computing within {@code queueWaitMillis} gets 503 with
 * Retry-After (handlers start as soon as a request arrives: there is a thread per connection and
 * no queue in front of the slots); at most {@code maxConnections} connections, each closed if
 * its request is not read within {@code readTimeoutSeconds} (slow or stalled senders) or after
 * 30 s idle; bodies, prompts, lengths, stop strings and parts are capped, and a scoring request
 * stops after {@code scoreTimeoutMillis}. Every error is JSON {"error": "..."}.
 */
final class HttpApi implements AutoCloseable {

    /**
     * Bounds on what one server accepts.
     *
     * @param maxConcurrent requests computing at once
     * @param maxBodyBytes largest request body
     * @param maxCharacters largest max_characters
     * @param queueWaitMillis longest a request waits for a slot before 503
     * @param maxPromptCharacters longest prompt
     * @param maxStops most stop strings
     * @param maxParts most files in one scoring request
     * @param maxConnections most open connections
     * @param readTimeoutSeconds longest time to receive a request (headers and body)
     * @param scoreTimeoutMillis longest a scoring request computes
     */
    record Limits(int maxConcurrent, int maxBodyBytes, int maxCharacters, long queueWaitMillis,
            int maxPromptCharacters, int maxStops, int maxParts, int maxConnections, int readTimeoutSeconds,
            long scoreTimeoutMillis) {

        static final int MAX_STOP_LENGTH = 64;

        /** The serve command's defaults but for the four given. */
        Limits(int maxConcurrent, int maxBodyBytes, int maxCharacters, long queueWaitMillis) {
            this(maxConcurrent, maxBodyBytes, maxCharacters, queueWaitMillis, 20_000, 16, 256, 256, 20, 60_000);
        }

        GenerationRequest.Limits generation() {
            return new GenerationRequest.Limits(maxCharacters, maxPromptCharacters, maxStops, MAX_STOP_LENGTH);
        }
    }

    private final CharModel model;
    private final CharModel scoringModel;
    private final StepBatcher batcher;
    private final Limits limits;
    private final Semaphore permits;
    private HttpServer server;
    private ThreadPoolExecutor executor;

    /**
     * @param model the model; load it with one intra-op thread: generation steps of all clients
     *     run batched on one batcher lane per core
     * @param scoringModel the same model loaded for scoring (one intra-op thread per core)
     */
    HttpApi(CharModel model, CharModel scoringModel, Limits limits) {
        this.model = model;
        this.scoringModel = scoringModel;
        this.batcher = StepBatcher.create(model, 128, Duration.ZERO, Runtime.getRuntime().availableProcessors());
        this.limits = limits;
        this.permits = new Semaphore(limits.maxConcurrent(), true);
    }

    HttpApi(CharModel model, Limits limits) {
        this(model, model, limits);
    }

    /**
     * Starts listening; port 0 picks a free port. Returns the bound address. The read timeout
     * and the connection cap are the JDK server's own settings, process-wide; -D options given
     * on the command line win.
     */
    InetSocketAddress start(String host, int port) throws IOException {
        System.setProperty("sun.net.httpserver.maxReqTime",
                System.getProperty("sun.net.httpserver.maxReqTime", Integer.toString(limits.readTimeoutSeconds())));
        System.setProperty("jdk.httpserver.maxConnections",
                System.getProperty("jdk.httpserver.maxConnections", Integer.toString(limits.maxConnections())));
        System.setProperty("sun.net.httpserver.idleInterval",
                System.getProperty("sun.net.httpserver.idleInterval", "30"));
        server = HttpServer.create(new InetSocketAddress(host, port), 128);
        // A thread per connection and no queue: a request is handled (and gets its slot or its 503)
        // as soon as it arrives, and slow senders tie up only their own threads.
        executor = new ThreadPoolExecutor(0, limits.maxConnections() + 2, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "charlm-http");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(executor);
        server.createContext("/health", Exchanges.handler("/health", "GET", new HealthHandler(model)));
        server.createContext("/v1/generate", Exchanges.handler("/v1/generate", "POST",
                new GenerateHandler(model, batcher, limits, permits)));
        server.createContext("/v1/score", Exchanges.handler("/v1/score", "POST",
                new ScoreHandler(scoringModel, limits, permits)));
        server.createContext("/", Exchanges.notFound());
        server.start();
        return server.getAddress();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        batcher.close();
    }
}
