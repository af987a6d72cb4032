package dev.charlm.app;

import dev.charlm.contract.InvalidFieldException;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.StepBatcher;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP API of {@code charlm serve}, on Vert.x's HTTP server (Netty; started only for this
 * command, so {@code generate} and {@code score} start without an HTTP stack):
 *
 * <pre>
 * GET  /health        {"status":"ok", ...}                                   {@link HealthHandler}
 * POST /v1/generate   JSON in; server-sent events out                         {@link GenerateHandler}
 * POST /v1/score      a text/plain body, or multipart/form-data files; JSON out {@link ScoreHandler}
 * </pre>
 *
 * <p>Why an event loop: connections cost no thread until a whole request has arrived, so idle,
 * stalled or slow clients cannot take the threads that answer complete requests, and a
 * connection that closes is seen at once, which stops the work it asked for. One event-loop
 * thread reads requests and routes them; an endpoint runs on a worker thread of its own once its
 * body has arrived.
 *
 * <p>What bounds the server ({@link Limits}): a connection must deliver a complete request
 * within {@code readTimeoutSeconds} of opening or of its previous answer, or it is closed (a
 * stalled or slow sender, an idle keep-alive connection); at most {@code maxConnections} are open,
 * and past that a new connection closes the oldest one that has no request in flight (only when
 * every connection has one is the new connection closed); request heads are capped (431),
 * bodies are capped before they are read (413); at most {@code maxConcurrent} requests compute
 * at once, scoring at most a quarter of them, and a request that cannot start within {@code
 * queueWaitMillis} gets 503 with Retry-After; prompts, lengths, stop strings and parts are
 * capped, and scoring stops after {@code scoreTimeoutMillis}. Work stops when its client goes
 * away. Every error is JSON {"error": "..."}.
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
     * @param readTimeoutSeconds longest a connection may take to deliver a whole request, from
     *     opening or from its previous answer
     * @param scoreTimeoutMillis longest a scoring request computes
     */
    record Limits(int maxConcurrent, int maxBodyBytes, int maxCharacters, long queueWaitMillis,
            int maxPromptCharacters, int maxStops, int maxParts, int maxConnections, int readTimeoutSeconds,
            long scoreTimeoutMillis) {

        static final int MAX_STOP_LENGTH = 64;
        /** Largest request head (request line and headers); past it, 431. */
        static final int MAX_HEAD_BYTES = 16 * 1024;

        Limits {
            positive("max_concurrent", maxConcurrent);
            positive("max_body_bytes", maxBodyBytes);
            atLeastZero("max_characters", maxCharacters);
            atLeastZero("queue_wait", queueWaitMillis);
            positive("max_prompt_characters", maxPromptCharacters);
            atLeastZero("max_stops", maxStops);
            positive("max_parts", maxParts);
            positive("max_connections", maxConnections);
            positive("read_timeout", readTimeoutSeconds);
            positive("score_timeout", scoreTimeoutMillis);
        }

        private static void positive(String field, long value) {
            if (value < 1) {
                throw new InvalidFieldException(field, "must be positive, got " + value);
            }
        }

        private static void atLeastZero(String field, long value) {
            if (value < 0) {
                throw new InvalidFieldException(field, "must be >= 0, got " + value);
            }
        }

        /** The serve command's defaults but for the four given. */
        Limits(int maxConcurrent, int maxBodyBytes, int maxCharacters, long queueWaitMillis) {
            this(maxConcurrent, maxBodyBytes, maxCharacters, queueWaitMillis, 20_000, 16, 256, 256, 20, 60_000);
        }

        GenerationRequest.Limits generation() {
            return new GenerationRequest.Limits(maxCharacters, maxPromptCharacters, maxStops, MAX_STOP_LENGTH);
        }

        /** Scoring requests computing at once: a quarter of the slots, at least one. */
        int maxConcurrentScoring() {
            return Math.max(1, maxConcurrent / 4);
        }
    }

    /** One endpoint: its path, its method, its work, and whether it reads a body. */
    private record Route(String path, HttpMethod method, Exchanges.Endpoint endpoint) {}

    /** A connection's state, touched only on the event loop (the gone flag is read by workers). */
    private static final class Connection {
        final HttpConnection connection;
        final AtomicBoolean gone = new AtomicBoolean();
        boolean busy;
        long timer = -1;

        Connection(HttpConnection connection) {
            this.connection = connection;
        }
    }

    private final CharModel model;
    private final CharModel scoringModel;
    private final StepBatcher batcher;
    private final Limits limits;
    private final Semaphore permits;
    private final Semaphore scoringPermits;
    private final List<Route> routes;
    /** Open connections, oldest first; touched only on the event loop. */
    private final Map<HttpConnection, Connection> connections = new LinkedHashMap<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean aborted = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private Vertx vertx;
    private HttpServer server;
    private ThreadPoolExecutor workers;

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
        this.scoringPermits = new Semaphore(limits.maxConcurrentScoring(), true);
        this.routes = List.of(
                new Route("/health", HttpMethod.GET, new HealthHandler(model)),
                new Route("/v1/generate", HttpMethod.POST, new GenerateHandler(model, batcher, limits, permits)),
                new Route("/v1/score", HttpMethod.POST,
                        new ScoreHandler(scoringModel, limits, permits, scoringPermits)));
    }

    HttpApi(CharModel model, Limits limits) {
        this(model, model, limits);
    }

    /** Starts listening; port 0 picks a free port. Returns the bound address. */
    InetSocketAddress start(String host, int port) throws java.io.IOException {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                // No .vertx cache directory in the user's working directory: nothing is served from files.
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)
                        .setClassPathResolvingEnabled(false)));
        // Endpoints run here once their body has arrived: a thread per request in progress, never
        // per connection; the slots bound the computing ones.
        workers = new ThreadPoolExecutor(0, limits.maxConnections() + 4, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "charlm-http");
                    t.setDaemon(true);
                    return t;
                });
        HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
                .setTcpNoDelay(true) // keep-alive answers are not held back by Nagle's algorithm
                .setMaxHeaderSize(Limits.MAX_HEAD_BYTES).setMaxInitialLineLength(8192)
                .setCompressionSupported(false).setDecompressionSupported(false)
                .setHandle100ContinueAutomatically(false).setAcceptBacklog(128)
                .setHttp2ClearTextEnabled(false); // HTTP/1.1 only: a client asking to upgrade stays on 1.1
        server = vertx.createHttpServer(options);
        server.connectionHandler(this::opened);
        // Malformed heads: 431 (too large), 414 (request line too long), 400 (anything else), then closed.
        server.invalidRequestHandler(req -> {
            HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(req);
            req.connection().close();
        });
        server.requestHandler(this::request);
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            vertx.close();
            Throwable cause = e.getCause();
            if (cause instanceof java.net.BindException b) {
                throw b;
            }
            throw new java.io.IOException(cause.getMessage(), cause);
        } catch (InterruptedException | TimeoutException e) {
            vertx.close();
            throw new java.io.IOException("could not start listening: " + e, e);
        }
        return new InetSocketAddress(host, server.actualPort());
    }

    // ---- the event loop ----

    private void opened(HttpConnection conn) {
        if (draining.get()) {
            conn.close();
            return;
        }
        if (connections.size() >= limits.maxConnections()) {
            Connection idle = null;
            for (Connection c : connections.values()) {
                if (!c.busy) {
                    idle = c;
                    break;
                }
            }
            if (idle == null) {
                conn.close(); // every connection has a request in flight: this one must wait its turn
                return;
            }
            forget(idle);
            idle.connection.close();
        }
        if (conn instanceof io.vertx.core.net.impl.ConnectionBase base
                && base.channelHandlerContext().pipeline().get(MalformedBodyGuard.BEFORE) != null) {
            base.channelHandlerContext().pipeline().addBefore(MalformedBodyGuard.BEFORE, "charlm-malformed-body",
                    new MalformedBodyGuard());
        }
        Connection c = new Connection(conn);
        connections.put(conn, c);
        conn.closeHandler(v -> {
            c.gone.set(true);
            forget(c);
        });
        waitForRequest(c);
    }

    private void forget(Connection c) {
        connections.remove(c.connection);
        if (c.timer >= 0) {
            vertx.cancelTimer(c.timer);
            c.timer = -1;
        }
    }

    /** Gives the connection {@code readTimeoutSeconds} to deliver its next whole request. */
    private void waitForRequest(Connection c) {
        if (c.timer >= 0) {
            vertx.cancelTimer(c.timer);
        }
        c.timer = vertx.setTimer(limits.readTimeoutSeconds() * 1000L, id -> {
            c.timer = -1;
            forget(c);
            c.connection.close();
        });
    }

    private void request(HttpServerRequest req) {
        Connection c = connections.get(req.connection());
        if (c == null) {
            req.connection().close(); // evicted or timed out while its request arrived
            return;
        }
        c.busy = true;
        req.response().endHandler(v -> {
            c.busy = false;
            if (connections.containsKey(c.connection)) {
                waitForRequest(c);
            }
        });
        if (draining.get()) {
            refuse(req, 503, "server is shutting down");
            return;
        }
        String path = req.path();
        HttpMethod method = req.method() == HttpMethod.HEAD ? HttpMethod.GET : req.method();
        Route route = null;
        List<String> allowed = new ArrayList<>();
        for (Route r : routes) {
            if (r.path().equals(path)) {
                allowed.add(r.method().name());
                if (r.method() == HttpMethod.GET) {
                    allowed.add(HttpMethod.HEAD.name());
                }
                if (r.method() == method) {
                    route = r;
                }
            }
        }
        if (allowed.isEmpty()) {
            refuse(req, 404, "no such endpoint " + path + " (try /health, /v1/generate, /v1/score)");
            return;
        }
        if (route == null) {
            req.response().putHeader(HttpHeaders.ALLOW, String.join(", ", allowed));
            refuse(req, 405, "use " + String.join(" or ", allowed) + ", not " + req.method().name());
            return;
        }
        String declared = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                refuse(req, 400, "bad Content-Length");
                return;
            }
            if (length > limits.maxBodyBytes()) {
                refuse(req, 413, "request body exceeds " + limits.maxBodyBytes() + " bytes");
                return;
            }
        }
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        req.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > limits.maxBodyBytes()) {
                refused[0] = true;
                refuse(req, 413, "request body exceeds " + limits.maxBodyBytes() + " bytes");
                return;
            }
            body.appendBuffer(chunk);
        });
        req.exceptionHandler(t -> {
            if (!refused[0]) {
                refused[0] = true;
                refuse(req, 400, "malformed request: " + t.getMessage());
            }
        });
        Route endpoint = route;
        req.endHandler(v -> {
            if (refused[0]) {
                return;
            }
            if (c.timer >= 0) {
                vertx.cancelTimer(c.timer); // the whole request is here; the answer takes what it takes
                c.timer = -1;
            }
            dispatch(endpoint, new Exchange(req, body.getBytes(), c.gone, aborted));
        });
    }

    /** Answers an error and closes the connection: what else the client sends is not read. */
    private static void refuse(HttpServerRequest req, int status, String message) {
        req.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(Buffer.buffer(Exchanges.error(message))).onComplete(v -> req.connection().close());
    }

    private void dispatch(Route route, Exchange ex) {
        inFlight.incrementAndGet();
        try {
            workers.execute(() -> {
                try {
                    route.endpoint().handle(ex);
                } catch (ApiError e) {
                    answerError(ex, e.status, e.getMessage());
                } catch (InvalidFieldException e) {
                    answerError(ex, 400, e.renderedAs("field '" + e.field() + "'"));
                } catch (RuntimeException e) {
                    answerError(ex, 500, "internal error: " + e.getClass().getSimpleName());
                } finally {
                    inFlight.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            ex.setHeader("Retry-After", "1");
            ex.send(503, Exchanges.error("busy: no thread free to take the request; retry later"));
        }
    }

    private static void answerError(Exchange ex, int status, String message) {
        if (ex.started()) {
            ex.event("error", Exchanges.error(message)); // a stream's status is out: say it in the stream
            ex.end();
        } else {
            ex.send(status, Exchanges.error(message));
        }
    }

    // ---- shutting down ----

    /**
     * Stops taking requests and lets running ones finish for up to {@code grace}; work still
     * running then is ended (a stream with an error event, a scoring request with 503) within
     * another {@code grace} at most; then the server closes.
     */
    void shutdown(Duration grace) {
        if (vertx == null || !draining.compareAndSet(false, true)) {
            return;
        }
        // Idle connections go now; busy ones are answered, and new requests on them get 503.
        vertx.runOnContext(v -> {
            for (Iterator<Connection> it = connections.values().iterator(); it.hasNext();) {
                Connection c = it.next();
                if (!c.busy) {
                    it.remove();
                    c.connection.close();
                }
            }
        });
        awaitIdle(grace);
        if (inFlight.get() > 0) {
            aborted.set(true);
            awaitIdle(grace);
        }
        close();
    }

    private void awaitIdle(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Requests being answered now. */
    int requestsInFlight() {
        return inFlight.get();
    }

    @Override
    public void close() {
        aborted.set(true);
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // closing anyway
            }
            vertx = null;
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        batcher.close();
    }
}
