package dev.charlm.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.charlm.sdk.GenerationResult;
import dev.charlm.sdk.GenerationSession;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.StepBatcher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP API of {@code charlm serve}, on the JDK's built-in server (it starts only for this
 * command, so {@code generate} and {@code score} start without an HTTP stack):
 *
 * <pre>
 * GET  /health        {"status":"ok", ...}
 * POST /v1/generate   JSON in; server-sent events out: "chunk" events {"text": ...}, then "done"
 * POST /v1/score      a text/plain body, or multipart/form-data files; JSON out
 * </pre>
 *
 * <p>At most {@code maxConcurrent} requests compute at once; one that waits longer than
 * {@code queueWaitMillis} gets 503. Bodies over {@code maxBodyBytes} get 413. Every error is
 * JSON {"error": "..."} with a 4xx status.
 */
final class HttpApi implements AutoCloseable {

    /** Bounds on what one server accepts. */
    record Limits(int maxConcurrent, int maxBodyBytes, int maxCharacters, long queueWaitMillis) {}

    private static final Set<String> GENERATE_FIELDS =
            Set.of("prompt", "max_characters", "temperature", "top_k", "top_p", "seed", "stop");
    private static final int CHUNK_CHARACTERS = 8;

    private final CharModel model;
    private final StepBatcher batcher;
    private final Limits limits;
    private final ObjectMapper json = new ObjectMapper();
    private final Semaphore permits;
    private HttpServer server;
    private ExecutorService executor;

    /**
     * @param model the model; load it with one intra-op thread: generation steps of all clients
     *     run batched on one batcher lane per core
     */
    HttpApi(CharModel model, Limits limits) {
        this.model = model;
        this.batcher = StepBatcher.create(model, 128, java.time.Duration.ZERO,
                Runtime.getRuntime().availableProcessors());
        this.limits = limits;
        this.permits = new Semaphore(limits.maxConcurrent(), true);
    }

    /** Starts listening; port 0 picks a free port. Returns the bound address. */
    InetSocketAddress start(String host, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 128);
        // More threads than permits, so requests over the bound are answered (503) promptly.
        executor = Executors.newFixedThreadPool(limits.maxConcurrent() * 2 + 2);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return server.getAddress();
    }

    private void handle(HttpExchange ex) {
        // Not try-with-resources: that would close the exchange before the catch could reply.
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            switch (path) {
                case "/health":
                    require(method, "GET");
                    ObjectNode h = json.createObjectNode().put("status", "ok").put("model", model.info().source())
                            .put("cell", model.info().cell()).put("layers", model.info().layers())
                            .put("hidden", model.info().hidden()).put("device", model.device().name().toLowerCase());
                    send(ex, 200, h);
                    return;
                case "/v1/generate":
                    require(method, "POST");
                    withPermit(ex, () -> generate(ex));
                    return;
                case "/v1/score":
                    require(method, "POST");
                    withPermit(ex, () -> score(ex));
                    return;
                default:
                    throw new ApiError(404, "no such endpoint " + path + " (try /health, /v1/generate, /v1/score)");
            }
        } catch (ApiError e) {
            sendError(ex, e.status, e.getMessage());
        } catch (RuntimeException | IOException e) {
            sendError(ex, 500, "internal error: " + e.getClass().getSimpleName());
        } finally {
            ex.close();
        }
    }

    private interface Work {
        void run() throws IOException;
    }

    private void withPermit(HttpExchange ex, Work work) throws IOException {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(limits.queueWaitMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "server is shutting down");
        }
        if (!acquired) {
            ex.getResponseHeaders().set("Retry-After", "1");
            throw new ApiError(503, "busy: " + limits.maxConcurrent() + " requests are already running; retry later");
        }
        try {
            work.run();
        } finally {
            permits.release();
        }
    }

    private void generate(HttpExchange ex) throws IOException {
        JsonNode req = readJson(ex);
        Iterator<String> names = req.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!GENERATE_FIELDS.contains(f)) {
                throw new ApiError(400, "unknown field '" + f + "' (known: " + String.join(", ", new java.util.TreeSet<>(GENERATE_FIELDS)) + ")");
            }
        }
        JsonNode prompt = req.get("prompt");
        if (prompt == null || !prompt.isTextual()) {
            throw new ApiError(400, "field 'prompt' is required and must be a string");
        }
        int max = intField(req, "max_characters", 200);
        if (max < 0 || max > limits.maxCharacters()) {
            throw new ApiError(400, "field 'max_characters' must be in [0, " + limits.maxCharacters() + "], got " + max);
        }
        GenerationOptions.Builder b = GenerationOptions.builder().maxCharacters(max);
        try {
            if (req.has("temperature")) {
                b.temperature(number(req, "temperature"));
            }
            if (req.has("top_k")) {
                b.topK(intField(req, "top_k", 0));
            }
            if (req.has("top_p")) {
                b.topP(number(req, "top_p"));
            }
            if (req.has("seed")) {
                b.seed((long) number(req, "seed"));
            }
            if (req.has("stop")) {
                JsonNode stop = req.get("stop");
                if (!stop.isArray()) {
                    throw new ApiError(400, "field 'stop' must be an array of strings");
                }
                List<String> stops = new ArrayList<>();
                stop.forEach(s -> stops.add(s.asText()));
                b.stopStrings(stops);
            }
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
        GenerationSession session = model.newSession();
        if (session.feed(prompt.asText()).isEmpty()) {
            throw new ApiError(400, "field 'prompt' is empty after " + model.info().preprocessing().id() + " preprocessing");
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0); // chunked: events go out as they are made
        OutputStream out = ex.getResponseBody();
        // The batcher's worker makes the characters (batched with every other client's) and
        // hands them over in chunks; this thread writes them, so a slow client slows only itself.
        LinkedBlockingQueue<String> chunks = new LinkedBlockingQueue<>();
        StringBuilder pending = new StringBuilder();
        AtomicBoolean clientGone = new AtomicBoolean();
        CompletableFuture<GenerationResult> future = batcher.submit(session, b.build(), ch -> {
            if (clientGone.get()) {
                throw new CancellationException("client went away"); // ends this generation only
            }
            pending.append(ch);
            if (pending.length() >= CHUNK_CHARACTERS) {
                chunks.add(pending.toString());
                pending.setLength(0);
            }
        });
        GenerationResult r;
        try {
            while (!future.isDone()) {
                String chunk = chunks.poll(20, TimeUnit.MILLISECONDS);
                if (chunk != null) {
                    event(out, "chunk", json.createObjectNode().put("text", chunk));
                }
            }
            // Chunks queued just before the end.
            for (String chunk = chunks.poll(); chunk != null; chunk = chunks.poll()) {
                event(out, "chunk", json.createObjectNode().put("text", chunk));
            }
            r = future.join();
        } catch (UncheckedIOException e) {
            clientGone.set(true);
            return; // the client went away
        } catch (CompletionException e) {
            throw new IllegalStateException("generation failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            clientGone.set(true);
            Thread.currentThread().interrupt();
            return;
        }
        if (pending.length() > 0) {
            event(out, "chunk", json.createObjectNode().put("text", pending.toString()));
        }
        ObjectNode done = json.createObjectNode().put("characters", r.characters())
                .put("finish_reason", r.finishReason().name().toLowerCase())
                .put("elapsed_ms", r.elapsedNanos() / 1e6).put("characters_per_second", r.charactersPerSecond());
        done.put("stop", r.stopString().orElse(null));
        try {
            event(out, "done", done);
        } catch (UncheckedIOException e) {
            // the client went away at the end
        }
    }

    private void event(OutputStream out, String name, ObjectNode data) {
        try {
            out.write(("event: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void score(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        byte[] body = readBody(ex);
        if (type == null || type.startsWith("text/plain")) {
            try {
                send(ex, 200, report(model.newScorer().score("body", new ByteArrayInputStream(body))));
            } catch (InvalidTextException e) {
                throw new ApiError(400, e.getMessage());
            }
            return;
        }
        if (!type.startsWith("multipart/form-data")) {
            throw new ApiError(415, "Content-Type must be text/plain or multipart/form-data, got " + type);
        }
        List<Multipart.Part> parts;
        try {
            parts = Multipart.parse(body, Multipart.boundary(type));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
        if (parts.isEmpty()) {
            throw new ApiError(400, "multipart body has no files");
        }
        ArrayNode files = json.createArrayNode();
        List<ScoreReport> reports = new ArrayList<>();
        for (Multipart.Part p : parts) {
            String name = p.filename() != null ? p.filename() : p.name();
            try (InputStream in = new ByteArrayInputStream(p.content())) {
                ScoreReport r = model.newScorer().score(name, in);
                reports.add(r);
                files.add(report(r));
            } catch (InvalidTextException e) {
                files.add(json.createObjectNode().put("file", name).put("error", e.getMessage()));
            }
        }
        ObjectNode result = json.createObjectNode();
        result.set("files", files);
        if (!reports.isEmpty()) {
            result.set("total", report(ScoreReport.total("total", reports)));
        }
        send(ex, reports.isEmpty() ? 400 : 200, result);
    }

    private ObjectNode report(ScoreReport r) {
        return json.createObjectNode().put("file", r.name()).put("perplexity", r.perplexity())
                .put("bits_per_char", r.bitsPerCharacter()).put("characters", r.characters())
                .put("predictions", r.predictions()).put("unknown", r.unknownCharacters());
    }

    private JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body = readBody(ex);
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "the body must be a JSON object");
        }
        return node;
    }

    private byte[] readBody(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > limits.maxBodyBytes()) {
                    throw new ApiError(413, "request body exceeds " + limits.maxBodyBytes() + " bytes");
                }
            } catch (NumberFormatException e) {
                throw new ApiError(400, "bad Content-Length");
            }
        }
        byte[] body = ex.getRequestBody().readNBytes(limits.maxBodyBytes() + 1);
        if (body.length > limits.maxBodyBytes()) {
            throw new ApiError(413, "request body exceeds " + limits.maxBodyBytes() + " bytes");
        }
        return body;
    }

    private static int intField(JsonNode req, String field, int fallback) {
        JsonNode n = req.get(field);
        if (n == null) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ApiError(400, "field '" + field + "' must be an integer");
        }
        return n.intValue();
    }

    private static double number(JsonNode req, String field) {
        JsonNode n = req.get(field);
        if (!n.isNumber()) {
            throw new ApiError(400, "field '" + field + "' must be a number");
        }
        return n.doubleValue();
    }

    private static void require(String method, String expected) {
        if (!expected.equals(method)) {
            throw new ApiError(405, "use " + expected + ", not " + method);
        }
    }

    private void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private void sendError(HttpExchange ex, int status, String message) {
        try {
            send(ex, status, json.createObjectNode().put("error", message));
        } catch (IOException ignored) {
            // headers already sent (mid-stream) or the client left: nothing more to tell it
        }
    }

    /** A request error with its HTTP status. */
    static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
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
