package dev.charlm.app;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** What every endpoint does with an exchange: JSON bodies, request slots and error answers. */
final class Exchanges {

    /** Strict JSON: a repeated key or text after the value is an error, not silently taken. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Numbers kept exact, so that 1e999 is refused as out of range rather than read as infinity.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Exchanges() {}

    /** The work of one endpoint, on a worker thread; an {@link ApiError} becomes its JSON answer. */
    interface Endpoint {
        void handle(Exchange ex);
    }

    /** The work done while holding request slots. */
    interface Work {
        void run(Exchange ex);
    }

    /**
     * Runs {@code work} holding one of each of {@code slots}, taken in order, or answers 503 after
     * waiting {@code waitMillis} in all.
     */
    static void withSlots(Exchange ex, long waitMillis, Work work, Semaphore... slots) {
        withSlots(ex, waitMillis, 1, work, slots);
    }

    /** As {@link #withSlots(Exchange, long, Work, Semaphore...)}, holding {@code count} of each. */
    static void withSlots(Exchange ex, long waitMillis, int count, Work work, Semaphore... slots) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        int taken = 0;
        try {
            for (Semaphore s : slots) {
                long left = Math.max(0, deadline - System.nanoTime());
                boolean acquired;
                try {
                    acquired = s.tryAcquire(count, left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ApiError(503, "server is shutting down");
                }
                if (!acquired) {
                    ex.setHeader("Retry-After", "1");
                    throw new ApiError(503, "busy: every request slot has been taken for " + waitMillis
                            + " ms; retry later");
                }
                taken++;
            }
            work.run(ex);
        } finally {
            for (int i = 0; i < taken; i++) {
                slots[i].release(count);
            }
        }
    }

    /** The body as a JSON object. */
    static JsonNode jsonObject(Exchange ex) {
        JsonNode node;
        try {
            node = JSON.readTree(ex.body());
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "invalid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ApiError(400, "invalid JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "the body must be a JSON object");
        }
        return node;
    }

    /** The JSON text of an error answer. */
    static String error(String message) {
        return JSON.createObjectNode().put("error", message).toString();
    }
}
