package dev.charlm.app;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ScoreListener;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoreOutput;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.TextSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /v1/score}: a text/plain body (one text) or multipart/form-data files, all parts
 * scored together on the batch rows; JSON out. A request scores at most {@code maxParts} texts
 * for at most {@code scoreTimeoutMillis}; its work stops after the running batch call when that
 * time is up, when its client goes away, or when the server shuts down. Scoring takes a request
 * slot and one of the fewer scoring slots, so scoring requests never hold every slot.
 */
final class ScoreHandler implements Exchanges.Endpoint {

    private final CharModel model;
    private final HttpApi.Limits limits;
    private final Semaphore permits;
    private final Semaphore scoringPermits;

    /** @param model loaded for scoring (one intra-op thread per core) */
    ScoreHandler(CharModel model, HttpApi.Limits limits, Semaphore permits, Semaphore scoringPermits) {
        this.model = model;
        this.limits = limits;
        this.permits = permits;
        this.scoringPermits = scoringPermits;
    }

    @Override
    public void handle(Exchange ex) {
        String type = ex.header("Content-Type");
        boolean plain = type == null || type.startsWith("text/plain");
        if (!plain && !type.startsWith("multipart/form-data")) {
            throw new ApiError(415, "Content-Type must be text/plain or multipart/form-data, got " + type);
        }
        byte[] body = ex.body();
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
        Exchanges.withSlots(ex, limits.queueWaitMillis(), e -> score(e, sources, plain), scoringPermits, permits);
    }

    private void score(Exchange ex, List<TextSource> sources, boolean plain) {
        long deadline = System.nanoTime() + limits.scoreTimeoutMillis() * 1_000_000L;
        List<ScoreOutcome> outcomes;
        try {
            outcomes = model.newScorer().scoreSources(sources, new ScoreListener() {
                @Override
                public boolean isCancelled() {
                    return ex.shouldStop() || System.nanoTime() > deadline;
                }
            });
        } catch (CancellationException e) {
            if (ex.clientGone()) {
                return; // nobody to answer
            }
            if (ex.aborted()) {
                throw new ApiError(503, "server is shutting down; the scoring was stopped");
            }
            throw new ApiError(503, "scoring took longer than " + limits.scoreTimeoutMillis() / 1000
                    + " s; send less text per request");
        }
        if (plain) {
            ScoreOutcome o = outcomes.get(0);
            if (o.failure().isPresent()) {
                throw new ApiError(400, o.failure().get().getMessage());
            }
            ex.send(200, o.report().orElseThrow().toJson());
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
                files.append(o.report().get().toJson());
            } else {
                InvalidTextException e = o.failure().orElseThrow();
                files.append(ScoreOutput.failureJson(o.name(), e.getMessage()));
            }
        }
        files.append(']');
        String json = "{\"files\":" + files
                + (reports.isEmpty() ? "" : ",\"total\":"
                        + ScoreOutput.totalJson(ScoreReport.total("total", reports), reports.size(), false)) + "}";
        ex.send(reports.isEmpty() ? 400 : 200, json);
    }
}
