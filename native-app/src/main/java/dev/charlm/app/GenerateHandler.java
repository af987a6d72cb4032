package dev.charlm.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.charlm.sdk.GenerationResult;
import dev.charlm.sdk.GenerationSession;
import dev.charlm.sdk.StepBatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /v1/generate}: JSON in, server-sent events out. The batcher's worker makes the
 * characters, batched with every other client's, and hands them over in chunks through a queue
 * that ends with a marker; this thread writes them, so a slow client slows only itself, and a
 * client that has gone (or a server shutting down) ends its generation at the next character.
 * A generation the server ends ends with {@code event: error}.
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
    public void handle(Exchange ex) {
        GenerationRequest request = request(Exchanges.jsonObject(ex));
        GenerationOptions options = request.options(limits.generation());
        Exchanges.withSlots(ex, limits.queueWaitMillis(), e -> generate(e, request, options), permits);
    }

    private void generate(Exchange ex, GenerationRequest request, GenerationOptions options) {
        GenerationSession session = model.newSession();
        if (session.feed(request.prompt()).isEmpty()) {
            throw new ApiError(400, "field 'prompt' is empty after " + model.info().preprocessing().id() + " preprocessing");
        }
        ex.startEvents(); // events go out as they are made
        LinkedBlockingQueue<String> chunks = new LinkedBlockingQueue<>();
        StringBuilder pending = new StringBuilder();
        CompletableFuture<GenerationResult> future = batcher.submit(session, options, ch -> {
            if (ex.shouldStop()) {
                throw new CancellationException("client went away or server stopping"); // ends this generation only
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
                if (!ex.event("chunk", Exchanges.JSON.createObjectNode().put("text", chunk).toString())) {
                    return; // the client has gone; the next character ends the generation
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        GenerationResult r;
        try {
            r = future.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e instanceof CompletionException ? e.getCause() : e;
            if (cause instanceof CancellationException && ex.aborted()) {
                ex.event("error", Exchanges.error("server is shutting down; the generation was ended"));
                ex.end();
                return;
            }
            if (cause instanceof CancellationException) {
                return; // the client went away
            }
            ex.event("error", Exchanges.error("internal error: " + cause.getClass().getSimpleName()));
            ex.end();
            throw new IllegalStateException("generation failed: " + cause.getMessage(), cause);
        }
        ObjectNode done = Exchanges.JSON.createObjectNode().put("characters", r.characters())
                .put("finish_reason", r.finishReason().name().toLowerCase())
                .put("elapsed_ms", r.elapsedNanos() / 1e6).put("characters_per_second", r.charactersPerSecond());
        done.put("stop", r.stopString().orElse(null));
        ex.event("done", done.toString());
        ex.end();
    }

    /** The request's fields, each of the right type ({@link JsonFields}); unknown fields refused. */
    private GenerationRequest request(JsonNode req) {
        JsonFields.onlyKnown(req, FIELDS);
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
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw new ApiError(400, "field 'stop' must be an array of strings");
                }
                stops.add(s.asText());
            }
        }
        return new GenerationRequest(prompt.asText(),
                JsonFields.intField(req, "max_characters", Integer.MIN_VALUE, Integer.MAX_VALUE, 200),
                JsonFields.number(req, "temperature", 0),
                JsonFields.intField(req, "top_k", Integer.MIN_VALUE, Integer.MAX_VALUE, 0),
                JsonFields.number(req, "top_p", 1),
                JsonFields.integer(req, "seed", Long.MIN_VALUE, Long.MAX_VALUE, null), stops);
    }
}
