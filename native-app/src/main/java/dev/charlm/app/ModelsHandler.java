package dev.charlm.app;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}: the one model served, as OpenAI lists models. */
final class ModelsHandler implements Exchanges.Endpoint {

    private final String modelId;
    private final long created;
    private final boolean list;

    /** @param list whether this answers the list, or the one model */
    ModelsHandler(String modelId, long created, boolean list) {
        this.modelId = modelId;
        this.created = created;
        this.list = list;
    }

    @Override
    public void handle(Exchange ex) {
        ObjectNode model = Exchanges.JSON.createObjectNode().put("id", modelId).put("object", "model")
                .put("created", created).put("owned_by", "charlm");
        if (!list) {
            ex.send(200, model.toString());
            return;
        }
        ObjectNode answer = Exchanges.JSON.createObjectNode().put("object", "list");
        answer.putArray("data").add(model);
        ex.send(200, answer.toString());
    }
}
