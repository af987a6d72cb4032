package dev.charlm.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.CharacterChoice;
import dev.charlm.sdk.FinishReason;
import dev.charlm.sdk.GenerationResult;
import dev.charlm.sdk.GenerationSession;
import dev.charlm.sdk.SessionSnapshot;
import dev.charlm.sdk.StepBatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /v1/completions}: OpenAI's completions protocol, characters as tokens. Each prompt
 * is fed once (scored when {@code echo} asks for log-probabilities) and its {@code n} choices
 * start from copies of that state; every choice of the request is generated on the {@link
 * StepBatcher}, batched with every other client's. A request takes as many request slots as it
 * has choices (at most all of them), so sixteen choices cost what sixteen requests do.
 *
 * <p>Stop strings are not part of the text returned (OpenAI's rule), so a stream holds back
 * the last characters that could still begin one. Streams send what has been made whenever the
 * client is ready for more: one chunk per choice with all its characters since the last.
 */
final class CompletionsHandler implements Exchanges.Endpoint {

    private final CharModel model;
    private final StepBatcher batcher;
    private final HttpApi.Limits limits;
    private final Semaphore permits;
    private final String modelId;

    CompletionsHandler(CharModel model, StepBatcher batcher, HttpApi.Limits limits, Semaphore permits, String modelId) {
        this.model = model;
        this.batcher = batcher;
        this.limits = limits;
        this.permits = permits;
        this.modelId = modelId;
    }

    @Override
    public void handle(Exchange ex) {
        CompletionRequest request = CompletionRequest.read(Exchanges.jsonObject(ex), modelId, limits);
        int slots = Math.min(request.choices(), limits.maxConcurrent());
        Exchanges.withSlots(ex, limits.queueWaitMillis(), slots, e -> complete(e, request), permits);
    }

    /** What a stream carries for one choice: new characters, or its end. */
    private record Piece(int index, String text, List<CharacterChoice> logprobs, String finishReason,
            Throwable failure) {}

    /**
     * One choice: its session primed with the prompt, the characters made so far (on the batcher's
     * worker), and how many of them may be shown yet.
     */
    private static final class Choice {
        final int index;
        final GenerationSession session;
        final String prompt;
        final List<CharacterChoice> echoed;
        final int holdBack;
        final List<String> characters = new ArrayList<>();
        final List<CharacterChoice> logprobs = new ArrayList<>();
        int shown;
        String finishReason;
        long generated;

        Choice(int index, GenerationSession session, String prompt, List<CharacterChoice> echoed, int holdBack) {
            this.index = index;
            this.session = session;
            this.prompt = prompt;
            this.echoed = echoed;
            this.holdBack = holdBack;
        }

        /** A made character; returns what may now be shown, or null. */
        Piece add(String ch, CharacterChoice choice) {
            characters.add(ch);
            if (choice != null) {
                logprobs.add(choice);
            }
            return release(characters.size() - holdBack, null);
        }

        /** The end: all but a stop string may be shown. */
        Piece finish(GenerationResult r) {
            generated = r.characters();
            finishReason = r.finishReason() == FinishReason.STOP_STRING ? "stop" : "length";
            int stop = r.stopString().map(s -> s.codePointCount(0, s.length())).orElse(0);
            return release(characters.size() - stop, finishReason);
        }

        private Piece release(int upTo, String finish) {
            if (upTo <= shown && finish == null) {
                return null;
            }
            int from = shown;
            shown = Math.max(shown, upTo);
            return new Piece(index, String.join("", characters.subList(from, shown)),
                    logprobs.isEmpty() ? List.of() : List.copyOf(logprobs.subList(from, shown)), finish, null);
        }

        String text() {
            return String.join("", characters.subList(0, shown));
        }
    }

    private void complete(Exchange ex, CompletionRequest request) {
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        int holdBack = 0;
        for (String s : request.stops()) {
            // A character is shown once no stop string could end with it or after it.
            holdBack = Math.max(holdBack, s.codePointCount(0, s.length()));
        }
        // Prompts are fed here, on the request's own thread, within its slots.
        List<Choice> choices = new ArrayList<>();
        long promptTokens = 0;
        for (String prompt : request.prompts()) {
            if (ex.shouldStop()) {
                return;
            }
            GenerationSession first = model.newSession();
            List<CharacterChoice> echoed = null;
            String seen;
            if (request.echo() && request.logprobs() != null) {
                echoed = first.feedScored(prompt, request.logprobs());
                StringBuilder b = new StringBuilder();
                echoed.forEach(c -> b.append(c.character()));
                seen = b.toString();
            } else {
                seen = first.feed(prompt);
            }
            if (seen.isEmpty()) {
                throw new ApiError(400, "field 'prompt' is empty after " + model.info().preprocessing().id()
                        + " preprocessing", "prompt", null);
            }
            promptTokens += seen.codePointCount(0, seen.length());
            SessionSnapshot state = request.n() > 1 ? first.snapshot() : null;
            for (int j = 0; j < request.n(); j++) {
                GenerationSession session = first;
                if (j > 0) {
                    session = model.newSession();
                    session.restore(state);
                }
                choices.add(new Choice(choices.size(), session, seen, echoed, holdBack));
            }
        }
        LinkedBlockingQueue<Piece> pieces = new LinkedBlockingQueue<>();
        List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
        for (Choice c : choices) {
            futures.add(start(ex, request, c, pieces));
        }
        if (request.stream()) {
            stream(ex, request, choices, pieces, id, created, promptTokens);
            return;
        }
        for (CompletableFuture<GenerationResult> f : futures) {
            try {
                f.join();
            } catch (CompletionException | CancellationException e) {
                Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                if (cause instanceof CancellationException) {
                    if (ex.aborted()) {
                        throw new ApiError(503, "server is shutting down; the completion was ended");
                    }
                    return; // the client went away
                }
                throw new IllegalStateException("generation failed: " + cause.getMessage(), cause);
            }
        }
        ObjectNode answer = head(id, created);
        ArrayNode list = answer.putArray("choices");
        long completionTokens = 0;
        for (Choice c : choices) {
            completionTokens += c.generated;
            ObjectNode o = list.addObject();
            String echo = request.echo() ? c.prompt : "";
            o.put("text", echo + c.text());
            o.put("index", c.index);
            if (request.logprobs() != null) {
                List<String> tokens = new ArrayList<>();
                List<CharacterChoice> lp = new ArrayList<>();
                if (c.echoed != null) {
                    c.echoed.forEach(e -> tokens.add(e.character()));
                    lp.addAll(c.echoed);
                }
                tokens.addAll(c.characters.subList(0, c.shown));
                lp.addAll(c.logprobs.subList(0, c.shown));
                o.set("logprobs", logprobs(tokens, lp, request.echo() ? 0 : codePoints(c.prompt)));
            } else {
                o.putNull("logprobs");
            }
            o.put("finish_reason", c.finishReason);
        }
        answer.set("usage", usage(promptTokens, completionTokens));
        ex.send(200, answer.toString());
    }

    /** Starts choice {@code c} on the batcher; its pieces go to {@code pieces}, its end last. */
    private CompletableFuture<GenerationResult> start(Exchange ex, CompletionRequest request, Choice c,
            LinkedBlockingQueue<Piece> pieces) {
        if (request.echo()) {
            pieces.add(new Piece(c.index, c.prompt, c.echoed == null ? List.of() : c.echoed, null, null));
        }
        if (request.maxTokens() == 0) {
            c.finishReason = "length"; // nothing to generate: echo alone is scoring
            pieces.add(new Piece(c.index, "", List.of(), c.finishReason, null));
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<GenerationResult> future = batcher.submit(c.session, request.options(c.index % request.n()),
                ch -> {
                    if (ex.shouldStop()) {
                        throw new CancellationException("client went away or server stopping"); // ends this choice only
                    }
                    Piece p = c.add(ch, c.session.lastChoice().orElse(null));
                    if (p != null) {
                        pieces.add(p);
                    }
                });
        // On the worker, after the last character: what was held back, then the end.
        return future.whenComplete((r, e) -> pieces.add(e == null ? c.finish(r)
                : new Piece(c.index, "", List.of(), null, e instanceof CompletionException ? e.getCause() : e)));
    }

    private void stream(Exchange ex, CompletionRequest request, List<Choice> choices, LinkedBlockingQueue<Piece> pieces,
            String id, long created, long promptTokens) {
        ex.startEvents();
        int open = choices.size();
        // Where each choice's next character stands in its text, for text_offset.
        int[] offsets = new int[choices.size()];
        for (Choice c : choices) {
            offsets[c.index] = request.echo() ? 0 : codePoints(c.prompt);
        }
        List<Piece> ready = new ArrayList<>();
        try {
            while (open > 0) {
                ready.clear();
                ready.add(pieces.take());
                pieces.drainTo(ready);
                for (Piece merged : merge(ready)) {
                    if (merged.failure() != null) {
                        failStream(ex, merged.failure());
                        return;
                    }
                    ObjectNode chunk = head(id, created);
                    ObjectNode o = chunk.putArray("choices").addObject();
                    o.put("text", merged.text());
                    o.put("index", merged.index());
                    if (request.logprobs() != null) {
                        List<String> tokens = new ArrayList<>();
                        merged.logprobs().forEach(lp -> tokens.add(lp.character()));
                        o.set("logprobs", logprobs(tokens, merged.logprobs(), offsets[merged.index()]));
                        offsets[merged.index()] += tokens.size();
                    } else {
                        o.putNull("logprobs");
                    }
                    o.put("finish_reason", merged.finishReason());
                    if (request.includeUsage()) {
                        chunk.putNull("usage");
                    }
                    if (!ex.write("data: " + chunk + "\n\n")) {
                        return; // the client has gone; each choice ends at its next character
                    }
                    if (merged.finishReason() != null) {
                        open--;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (request.includeUsage()) {
            long completionTokens = 0;
            for (Choice c : choices) {
                completionTokens += c.generated;
            }
            ObjectNode last = head(id, created);
            last.putArray("choices");
            last.set("usage", usage(promptTokens, completionTokens));
            ex.write("data: " + last + "\n\n");
        }
        ex.write("data: [DONE]\n\n");
        ex.end();
    }

    /** Consecutive pieces of one choice as one; a choice's end closes its run. */
    private static List<Piece> merge(List<Piece> ready) {
        List<Piece> out = new ArrayList<>();
        for (Piece p : ready) {
            Piece last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.index() == p.index() && last.finishReason() == null && last.failure() == null
                    && p.failure() == null) {
                List<CharacterChoice> lp = new ArrayList<>(last.logprobs());
                lp.addAll(p.logprobs());
                out.set(out.size() - 1, new Piece(p.index(), last.text() + p.text(), lp, p.finishReason(), null));
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** A stream that cannot go on says why in OpenAI's error shape, then ends (no [DONE]). */
    private static void failStream(Exchange ex, Throwable failure) {
        if (failure instanceof CancellationException && !ex.aborted()) {
            return; // the client went away
        }
        String message = failure instanceof CancellationException
                ? "server is shutting down; the completion was ended"
                : "internal error: " + failure.getClass().getSimpleName();
        ex.write("data: " + ErrorDialect.OPENAI.json(failure instanceof CancellationException ? 503 : 500, message,
                null, null) + "\n\n");
        ex.end();
    }

    private ObjectNode head(String id, long created) {
        return Exchanges.JSON.createObjectNode().put("id", id).put("object", "text_completion").put("created", created)
                .put("model", modelId);
    }

    /**
     * OpenAI's logprobs object: parallel arrays of tokens (characters), their log-probabilities
     * (null for a text's first character), the alternatives at each, and each one's offset in
     * the text, counted in characters (code points) from {@code offset}.
     */
    private static ObjectNode logprobs(List<String> tokens, List<CharacterChoice> choices, int offset) {
        ObjectNode o = Exchanges.JSON.createObjectNode();
        ArrayNode t = o.putArray("tokens");
        ArrayNode lp = o.putArray("token_logprobs");
        ArrayNode top = o.putArray("top_logprobs");
        ArrayNode offsets = o.putArray("text_offset");
        for (int i = 0; i < tokens.size(); i++) {
            CharacterChoice c = choices.get(i);
            t.add(tokens.get(i));
            if (c.logprob().isPresent()) {
                lp.add(c.logprob().getAsDouble());
                ObjectNode alternatives = top.addObject();
                for (Map.Entry<String, Double> a : c.alternatives().entrySet()) {
                    alternatives.put(a.getKey(), a.getValue());
                }
            } else {
                lp.addNull();
                top.addNull();
            }
            offsets.add(offset + i);
        }
        return o;
    }

    private static ObjectNode usage(long promptTokens, long completionTokens) {
        return Exchanges.JSON.createObjectNode().put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens).put("total_tokens", promptTokens + completionTokens);
    }

    private static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }
}
