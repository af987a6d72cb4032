package dev.charlm.app;

import dev.charlm.sdk.CharModel;

/** {@code GET /health}: what is served; never waits for a request slot. */
final class HealthHandler implements Exchanges.Endpoint {

    private final CharModel model;

    HealthHandler(CharModel model) {
        this.model = model;
    }

    @Override
    public void handle(Exchange ex) {
        ex.send(200, Exchanges.JSON.createObjectNode().put("status", "ok").put("model", model.info().source())
                .put("cell", model.info().cell().id()).put("layers", model.info().layers())
                .put("hidden", model.info().hidden()).put("precision", model.info().precision().id()).put("device", model.device().name().toLowerCase()).toString());
    }
}
