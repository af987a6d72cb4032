package dev.charlm.app;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request whose body has arrived, as an endpoint sees it on its worker thread: the body,
 * the headers, and blocking-style answers over the event loop's non-blocking response. Knows
 * when its client has gone (the connection closed) and when the server wants its work to end
 * (shutting down), so long work can stop.
 */
final class Exchange {

    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final byte[] body;
    private final AtomicBoolean gone;
    private final AtomicBoolean aborted;

    /**
     * @param gone set by the event loop when the connection closes
     * @param aborted set by the server when its shutdown grace has run out
     */
    Exchange(HttpServerRequest request, byte[] body, AtomicBoolean gone, AtomicBoolean aborted) {
        this.request = request;
        this.response = request.response();
        this.body = body;
        this.gone = gone;
        this.aborted = aborted;
    }

    byte[] body() {
        return body;
    }

    String header(String name) {
        return request.getHeader(name);
    }

    /** Whether the client has closed its connection. */
    boolean clientGone() {
        return gone.get();
    }

    /** Whether the work should stop: the client went away, or the server is shutting down. */
    boolean shouldStop() {
        return gone.get() || aborted.get();
    }

    /** Whether the server has asked running work to end. */
    boolean aborted() {
        return aborted.get();
    }

    void setHeader(String name, String value) {
        response.putHeader(name, value);
    }

    /** Answers with a JSON text (nothing is sent if the client has gone). */
    void send(int status, String json) {
        send(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** Answers with {@code content} of {@code contentType} (nothing is sent if the client has gone). */
    void send(int status, String contentType, byte[] content) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(Buffer.buffer(content));
    }

    /** Starts a server-sent event stream: status 200, sent at once. */
    void startEvents() {
        response.setStatusCode(200).setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        response.writeHead();
    }

    /** Whether the answer has started (a stream's head is out): its status can no longer change. */
    boolean started() {
        return response.headWritten();
    }

    /**
     * Writes one server-sent event; waits while the client reads slower than events are made.
     *
     * @return false if the client has gone
     */
    boolean event(String name, String json) {
        return write("event: " + name + "\ndata: " + json + "\n\n");
    }

    /** Writes raw text to a started stream; false if the client has gone. */
    boolean write(String text) {
        if (gone.get() || response.closed()) {
            return false;
        }
        try {
            response.write(Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IllegalStateException closed) {
            return false;
        }
        while (response.writeQueueFull() && !gone.get()) {
            CountDownLatch drained = new CountDownLatch(1);
            response.drainHandler(v -> drained.countDown());
            try {
                drained.await(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !gone.get();
    }

    /** Ends a started stream. */
    void end() {
        if (!response.ended() && !response.closed()) {
            try {
                response.end();
            } catch (IllegalStateException closed) {
                // the connection closed meanwhile: nothing more to tell the client
            }
        }
    }
}
