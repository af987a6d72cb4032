package dev.charlm.app;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelInfo;

/** {@code GET /health}: what is served, under which name; never waits for a request slot. */
final class HealthHandler implements Exchanges.Endpoint {

    private final CharModel model;
    private final String modelId;

    HealthHandler(CharModel model, String modelId) {
        this.model = model;
        this.modelId = modelId;
    }

    @Override
    public void handle(Exchange ex) {
        ModelInfo info = model.info();
        ex.send(200, Exchanges.JSON.createObjectNode().put("status", "ok").put("id", modelId)
                .put("model", info.source()).put("cell", info.cell().id()).put("layers", info.layers())
                .put("hidden", info.hidden()).put("precision", info.precision().id())
                .put("preprocessing", info.preprocessing().id()).put("device", model.device().name().toLowerCase())
                .toString());
    }
}
