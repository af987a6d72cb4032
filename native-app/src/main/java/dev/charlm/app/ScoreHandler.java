package dev.charlm.app;

import com.sun.net.httpserver.HttpExchange;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ScoreListener;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.TextSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /v1/score}: a text/plain body (one text) or multipart/form-data files, all parts
 * scored together on the batch rows; JSON out. A request scores at most {@code maxParts} texts
 * for at most {@code scoreTimeoutMillis}, after which its work stops.
 */
final class ScoreHandler implements Exchanges.Endpoint {

    private final CharModel model;
    private final HttpApi.Limits limits;
    private final Semaphore permits;

    /** @param model loaded for scoring (one intra-op thread per core) */
    ScoreHandler(CharModel model, HttpApi.Limits limits, Semaphore permits) {
        this.model = model;
        this.limits = limits;
        this.permits = permits;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        boolean plain = type == null || type.startsWith("text/plain");
        if (!plain && !type.startsWith("multipart/form-data")) {
            throw new ApiError(415, "Content-Type must be text/plain or multipart/form-data, got " + type);
        }
        byte[] body = Exchanges.body(ex, limits.maxBodyBytes());
        List<TextSource> sources = new ArrayList<>();
        if (plain) {
            sources.add(TextSource.of("body", body));
        } else {
            List<Multipart.Part> parts;
            try {
                parts = Multipart.parse(body, Multipart.boundary(type), limits.maxParts());
            } catch (Multipart.TooManyPartsException e) {
                throw new ApiError(413, e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, e.getMessage());
            }
            if (parts.isEmpty()) {
                throw new ApiError(400, "multipart body has no files");
            }
            for (Multipart.Part p : parts) {
                sources.add(TextSource.of(p.filename() != null ? p.filename() : p.name(), p.content()));
            }
        }
        Exchanges.withPermit(ex, permits, limits.queueWaitMillis(), e -> score(e, sources, plain));
    }

    private void score(HttpExchange ex, List<TextSource> sources, boolean plain) throws IOException {
        long deadline = System.nanoTime() + limits.scoreTimeoutMillis() * 1_000_000L;
        List<ScoreOutcome> outcomes;
        try {
            outcomes = model.newScorer().scoreSources(sources, new ScoreListener() {
                @Override
                public boolean isCancelled() {
                    return System.nanoTime() > deadline;
                }
            });
        } catch (CancellationException e) {
            throw new ApiError(503, "scoring took longer than " + limits.scoreTimeoutMillis() / 1000
                    + " s; send less text per request");
        }
        if (plain) {
            ScoreOutcome o = outcomes.get(0);
            if (o.failure().isPresent()) {
                throw new ApiError(400, o.failure().get().getMessage());
            }
            Exchanges.send(ex, 200, o.report().orElseThrow().toJson("file"));
            return;
        }
        StringBuilder files = new StringBuilder("[");
        List<ScoreReport> reports = new ArrayList<>();
        for (ScoreOutcome o : outcomes) {
            if (files.length() > 1) {
                files.append(',');
            }
            if (o.report().isPresent()) {
                reports.add(o.report().get());
                files.append(o.report().get().toJson("file"));
            } else {
                InvalidTextException e = o.failure().orElseThrow();
                files.append(Exchanges.JSON.createObjectNode().put("file", o.name()).put("error", e.getMessage()));
            }
        }
        files.append(']');
        String json = "{\"files\":" + files
                + (reports.isEmpty() ? "" : ",\"total\":" + ScoreReport.total("total", reports).toJson("file")) + "}";
        Exchanges.send(ex, reports.isEmpty() ? 400 : 200, json);
    }
}
