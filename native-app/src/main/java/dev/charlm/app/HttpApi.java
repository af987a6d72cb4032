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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
 * GET  /                    the playground page (and its script, style sheet and icon) {@link PlaygroundHandler}
 * GET  /health              {"status":"ok", ...}                                     {@link HealthHandler}
 * POST /v1/generate         JSON in; server-sent events out                          {@link GenerateHandler}
 * POST /v1/score            a text/plain body, or multipart/form-data files; JSON out  {@link ScoreHandler}
 * POST /v1/completions      OpenAI's completions protocol, characters as tokens      {@link CompletionsHandler}
 * GET  /v1/models           the model served, as OpenAI lists models                 {@link ModelsHandler}
 * POST /v1/chat/completions an OpenAI-shaped error saying why there is no chat
 * </pre>
 *
 * <p>charlm's own routes answer errors as {"error": "..."}; the OpenAI routes (and unknown paths
 * under /v1/) in OpenAI's shape ({@link ErrorDialect}). With an API key, every /v1/ route asks
 * for it as OpenAI's clients send it ({@code Authorization: Bearer KEY}), before the body is read;
 * the page and /health stay open.
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

    /** One endpoint: its path, its method, its work, and how its errors are written. */
    private record Route(String path, HttpMethod method, Exchanges.Endpoint endpoint, ErrorDialect dialect) {

        Route(String path, HttpMethod method, Exchanges.Endpoint endpoint) {
            this(path, method, endpoint, ErrorDialect.CHARLM);
        }
    }

    /** The id a model is served under when none is given: the built-in default model's. */
    static final String DEFAULT_MODEL_ID = "charlm-default";

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
    private final String modelId;
    /** The API key's bytes, or null: no authentication. */
    private final byte[] apiKey;
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
     * @param modelId the name OpenAI's clients know the model by ({@code model})
     * @param apiKey the key /v1/ routes ask for, or null for none
     */
    HttpApi(CharModel model, CharModel scoringModel, Limits limits, String modelId, String apiKey) {
        this.model = model;
        this.scoringModel = scoringModel;
        this.batcher = StepBatcher.create(model, 128, Duration.ZERO, Runtime.getRuntime().availableProcessors());
        this.limits = limits;
        this.modelId = modelId;
        this.apiKey = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
        this.permits = new Semaphore(limits.maxConcurrent(), true);
        this.scoringPermits = new Semaphore(limits.maxConcurrentScoring(), true);
        long started = System.currentTimeMillis() / 1000;
        this.routes = List.of(
                new Route("/", HttpMethod.GET, new PlaygroundHandler("index.html", "text/html; charset=utf-8")),
                new Route("/playground.js", HttpMethod.GET,
                        new PlaygroundHandler("playground.js", "text/javascript; charset=utf-8")),
                new Route("/playground.css", HttpMethod.GET,
                        new PlaygroundHandler("playground.css", "text/css; charset=utf-8")),
                new Route("/favicon.svg", HttpMethod.GET, new PlaygroundHandler("favicon.svg", "image/svg+xml")),
                new Route("/health", HttpMethod.GET, new HealthHandler(model, modelId)),
                new Route("/v1/generate", HttpMethod.POST, new GenerateHandler(model, batcher, limits, permits)),
                new Route("/v1/score", HttpMethod.POST,
                        new ScoreHandler(scoringModel, limits, permits, scoringPermits)),
                new Route("/v1/completions", HttpMethod.POST,
                        new CompletionsHandler(model, batcher, limits, permits, modelId), ErrorDialect.OPENAI),
                new Route("/v1/models", HttpMethod.GET, new ModelsHandler(modelId, started, true), ErrorDialect.OPENAI),
                new Route("/v1/models/" + modelId, HttpMethod.GET, new ModelsHandler(modelId, started, false),
                        ErrorDialect.OPENAI),
                new Route("/v1/chat/completions", HttpMethod.POST, ex -> {
                    throw new ApiError(404, "'" + modelId + "' is not a chat model: it continues text one character"
                            + " at a time and has no chat template to turn messages into text. Use /v1/completions"
                            + " with a prompt.", "model", "model_not_found");
                }, ErrorDialect.OPENAI));
    }

    HttpApi(CharModel model, CharModel scoringModel, Limits limits) {
        this(model, scoringModel, limits, DEFAULT_MODEL_ID, null);
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
        String path = req.path();
        ErrorDialect dialect = dialectOf(path);
        if (draining.get()) {
            refuse(req, dialect, 503, "server is shutting down");
            return;
        }
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
        if (apiKey != null && path.startsWith("/v1/") && !authorized(req.getHeader(HttpHeaders.AUTHORIZATION))) {
            req.response().putHeader("WWW-Authenticate", "Bearer");
            refuse(req, dialect, 401, "missing or wrong API key: send the header 'Authorization: Bearer KEY'"
                    + " with the key serve was given", "invalid_api_key");
            return;
        }
        if (allowed.isEmpty()) {
            if (path.startsWith("/v1/models/")) {
                refuse(req, dialect, 404, "model '" + path.substring("/v1/models/".length())
                        + "' is not served here; this server serves '" + modelId + "'", "model_not_found");
                return;
            }
            refuse(req, dialect, 404, "no such endpoint " + path
                    + " (try /health, /v1/generate, /v1/score, /v1/completions, /v1/models, or / in a browser)");
            return;
        }
        if (route == null) {
            req.response().putHeader(HttpHeaders.ALLOW, String.join(", ", allowed));
            refuse(req, dialect, 405, "use " + String.join(" or ", allowed) + ", not " + req.method().name());
            return;
        }
        String declared = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                refuse(req, dialect, 400, "bad Content-Length");
                return;
            }
            if (length > limits.maxBodyBytes()) {
                refuse(req, dialect, 413, "request body exceeds " + limits.maxBodyBytes() + " bytes");
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
                refuse(req, dialect, 413, "request body exceeds " + limits.maxBodyBytes() + " bytes");
                return;
            }
            body.appendBuffer(chunk);
        });
        req.exceptionHandler(t -> {
            if (!refused[0]) {
                refused[0] = true;
                refuse(req, dialect, 400, "malformed request: " + t.getMessage());
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

    /** Charlm's own routes and the page answer errors charlm's way; the rest of /v1/ OpenAI's. */
    private static ErrorDialect dialectOf(String path) {
        return path.startsWith("/v1/") && !path.equals("/v1/generate") && !path.equals("/v1/score")
                ? ErrorDialect.OPENAI : ErrorDialect.CHARLM;
    }

    /** Whether an Authorization header carries the key; compared in constant time. */
    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(apiKey, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private static void refuse(HttpServerRequest req, ErrorDialect dialect, int status, String message) {
        refuse(req, dialect, status, message, null);
    }

    /** Answers an error and closes the connection: what else the client sends is not read. */
    private static void refuse(HttpServerRequest req, ErrorDialect dialect, int status, String message, String code) {
        req.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(Buffer.buffer(dialect.json(status, message, null, code)))
                .onComplete(v -> req.connection().close());
    }

    private void dispatch(Route route, Exchange ex) {
        inFlight.incrementAndGet();
        try {
            workers.execute(() -> {
                try {
                    route.endpoint().handle(ex);
                } catch (ApiError e) {
                    answerError(ex, route.dialect(), e);
                } catch (InvalidFieldException e) {
                    answerError(ex, route.dialect(),
                            new ApiError(400, e.renderedAs("field '" + e.field() + "'"), e.field(), null));
                } catch (RuntimeException e) {
                    answerError(ex, route.dialect(), new ApiError(500, "internal error: " + e.getClass().getSimpleName()));
                } finally {
                    inFlight.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            ex.setHeader("Retry-After", "1");
            ex.send(503, route.dialect().json(503, "busy: no thread free to take the request; retry later", null, null));
        }
    }

    private static void answerError(Exchange ex, ErrorDialect dialect, ApiError e) {
        if (ex.started()) {
            // A stream's status is out: say it in the stream.
            if (dialect == ErrorDialect.OPENAI) {
                ex.write("data: " + dialect.json(e) + "\n\n");
            } else {
                ex.event("error", dialect.json(e));
            }
            ex.end();
        } else {
            ex.send(e.status, dialect.json(e));
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
