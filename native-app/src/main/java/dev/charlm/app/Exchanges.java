package dev.charlm.app;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** What every endpoint does with an exchange: methods, bodies, JSON, permits and answers. */
final class Exchanges {

    /** Strict JSON: a repeated key or text after the value is an error, not silently taken. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Exchanges() {}

    /** The work of one endpoint; an {@link ApiError} becomes its JSON answer. */
    interface Endpoint {
        void handle(HttpExchange ex) throws IOException;
    }

    /**
     * The handler of one endpoint: only {@code path} itself (the JDK server matches contexts by
     * prefix) and only {@code method}; errors answered as JSON; the exchange always closed.
     */
    static HttpHandler handler(String path, String method, Endpoint endpoint) {
        return ex -> {
            // Not try-with-resources: that would close the exchange before the catch could reply.
            try {
                if (!path.equals(ex.getRequestURI().getPath())) {
                    throw notFound(ex);
                }
                if (!method.equals(ex.getRequestMethod())) {
                    throw new ApiError(405, "use " + method + ", not " + ex.getRequestMethod());
                }
                endpoint.handle(ex);
            } catch (ApiError e) {
                sendError(ex, e.status, e.getMessage());
            } catch (RuntimeException | IOException e) {
                sendError(ex, 500, "internal error: " + e.getClass().getSimpleName());
            } finally {
                ex.close();
            }
        };
    }

    /** A handler answering 404 for every path no endpoint has. */
    static HttpHandler notFound() {
        return ex -> {
            sendError(ex, 404, notFound(ex).getMessage());
            ex.close();
        };
    }

    private static ApiError notFound(HttpExchange ex) {
        return new ApiError(404, "no such endpoint " + ex.getRequestURI().getPath()
                + " (try /health, /v1/generate, /v1/score)");
    }

    /** Runs {@code work} holding one of {@code permits}, or answers 503 after waiting {@code waitMillis}. */
    static void withPermit(HttpExchange ex, Semaphore permits, long waitMillis, Endpoint work) throws IOException {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "server is shutting down");
        }
        if (!acquired) {
            ex.getResponseHeaders().set("Retry-After", "1");
            throw new ApiError(503, "busy: every request slot has been taken for " + waitMillis + " ms; retry later");
        }
        try {
            work.handle(ex);
        } finally {
            permits.release();
        }
    }

    /** Bytes of a refused body read and dropped, so the client can read the 413 instead of a reset. */
    private static final long DRAIN_BYTES = 1 << 20;

    /** The body, refused with 413 beyond {@code maxBytes}; never more than that is kept. */
    static byte[] body(HttpExchange ex, int maxBytes) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new ApiError(400, "bad Content-Length");
            }
            if (declared > maxBytes) {
                if (declared <= maxBytes + DRAIN_BYTES) {
                    drain(ex, declared);
                }
                throw new ApiError(413, "request body exceeds " + maxBytes + " bytes");
            }
        }
        byte[] body = ex.getRequestBody().readNBytes(maxBytes + 1);
        if (body.length > maxBytes) {
            drain(ex, DRAIN_BYTES);
            throw new ApiError(413, "request body exceeds " + maxBytes + " bytes");
        }
        return body;
    }

    private static void drain(HttpExchange ex, long bytes) throws IOException {
        byte[] buffer = new byte[8192];
        for (long left = bytes; left > 0;) {
            int n = ex.getRequestBody().read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                return;
            }
            left -= n;
        }
    }

    /** The body as a JSON object. */
    static JsonNode jsonObject(HttpExchange ex, int maxBytes) throws IOException {
        byte[] body = body(ex, maxBytes);
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "the body must be a JSON object");
        }
        return node;
    }

    /** Answers with a JSON text. */
    static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    static void sendError(HttpExchange ex, int status, String message) {
        try {
            send(ex, status, JSON.createObjectNode().put("error", message).toString());
        } catch (IOException ignored) {
            // headers already sent (mid-stream) or the client left: nothing more to tell it
        }
    }
}
