package dev.charlm.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationResult;
import dev.charlm.sdk.GenerationSession;
import dev.charlm.sdk.StepBatcher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /v1/generate}: JSON in, server-sent events out. The batcher's worker makes the
 * characters, batched with every other client's, and hands them over in chunks through a queue
 * that ends with a marker; this thread writes them, so a slow client slows only itself, and a
 * client that has gone ends its generation at the next character.
 */
final class GenerateHandler implements Exchanges.Endpoint {

    static final int CHUNK_CHARACTERS = 8;
    private static final Set<String> FIELDS = Set.of("prompt", "max_characters", "temperature", "top_k", "top_p",
            "seed", "stop");
    /** Ends the queue of chunks. */
    private static final String END = new String("end of generation");

    private final CharModel model;
    private final StepBatcher batcher;
    private final HttpApi.Limits limits;
    private final Semaphore permits;

    GenerateHandler(CharModel model, StepBatcher batcher, HttpApi.Limits limits, Semaphore permits) {
        this.model = model;
        this.batcher = batcher;
        this.limits = limits;
        this.permits = permits;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        GenerationRequest request = request(Exchanges.jsonObject(ex, limits.maxBodyBytes()));
        try {
            request.check(limits.generation(), GenerationRequest.Naming.JSON);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, e.getMessage());
        }
        Exchanges.withPermit(ex, permits, limits.queueWaitMillis(), e -> generate(e, request));
    }

    private void generate(HttpExchange ex, GenerationRequest request) throws IOException {
        GenerationSession session = model.newSession();
        if (session.feed(request.prompt()).isEmpty()) {
            throw new ApiError(400, "field 'prompt' is empty after " + model.info().preprocessing().id() + " preprocessing");
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0); // chunked: events go out as they are made
        SseWriter sse = new SseWriter(ex.getResponseBody());
        LinkedBlockingQueue<String> chunks = new LinkedBlockingQueue<>();
        StringBuilder pending = new StringBuilder();
        AtomicBoolean clientGone = new AtomicBoolean();
        CompletableFuture<GenerationResult> future = batcher.submit(session, request.options(), ch -> {
            if (clientGone.get()) {
                throw new CancellationException("client went away"); // ends this generation only
            }
            pending.append(ch);
            if (pending.length() >= CHUNK_CHARACTERS) {
                chunks.add(pending.toString());
                pending.setLength(0);
            }
        });
        // On the worker, after its last character: what is left, then the end.
        future.whenComplete((r, e) -> {
            if (pending.length() > 0) {
                chunks.add(pending.toString());
            }
            chunks.add(END);
        });
        try {
            for (String chunk = chunks.take(); chunk != END; chunk = chunks.take()) {
                sse.event("chunk", Exchanges.JSON.createObjectNode().put("text", chunk).toString());
            }
        } catch (IOException e) {
            clientGone.set(true);
            return;
        } catch (InterruptedException e) {
            clientGone.set(true);
            Thread.currentThread().interrupt();
            return;
        }
        GenerationResult r;
        try {
            r = future.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("generation failed: " + e.getCause().getMessage(), e.getCause());
        }
        ObjectNode done = Exchanges.JSON.createObjectNode().put("characters", r.characters())
                .put("finish_reason", r.finishReason().name().toLowerCase())
                .put("elapsed_ms", r.elapsedNanos() / 1e6).put("characters_per_second", r.charactersPerSecond());
        done.put("stop", r.stopString().orElse(null));
        try {
            sse.event("done", done.toString());
        } catch (IOException e) {
            // the client went away at the end
        }
    }

    /** The request's fields, each of the right type; unknown fields refused. */
    private GenerationRequest request(JsonNode req) {
        Iterator<String> names = req.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!FIELDS.contains(f)) {
                throw new ApiError(400, "unknown field '" + f + "' (known: " + String.join(", ", new TreeSet<>(FIELDS)) + ")");
            }
        }
        JsonNode prompt = req.get("prompt");
        if (prompt == null || !prompt.isTextual()) {
            throw new ApiError(400, "field 'prompt' is required and must be a string");
        }
        List<String> stops = new ArrayList<>();
        JsonNode stop = req.get("stop");
        if (stop != null) {
            if (!stop.isArray()) {
                throw new ApiError(400, "field 'stop' must be an array of strings");
            }
            if (stop.size() > limits.generation().maxStops()) {
                throw new ApiError(400, "field 'stop' has " + stop.size() + " strings; at most "
                        + limits.generation().maxStops() + " are accepted");
            }
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw new ApiError(400, "field 'stop' must be an array of strings");
                }
                stops.add(s.asText());
            }
        }
        return new GenerationRequest(prompt.asText(), intField(req, "max_characters", 200),
                number(req, "temperature", 0), intField(req, "top_k", 0), number(req, "top_p", 1),
                req.has("seed") ? (long) number(req, "seed", 0) : null, stops);
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

    private static double number(JsonNode req, String field, double fallback) {
        JsonNode n = req.get(field);
        if (n == null) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new ApiError(400, "field '" + field + "' must be a number");
        }
        return n.doubleValue();
    }
}
