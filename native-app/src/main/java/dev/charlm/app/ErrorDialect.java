package dev.charlm.app;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a route's errors are written: charlm's own routes answer {@code {"error": "message"}};
 * the OpenAI routes answer OpenAI's shape, {@code {"error": {"message", "type", "param",
 * "code"}}}, which its clients parse into their exceptions.
 */
enum ErrorDialect {
    CHARLM,
    OPENAI;

    /** The JSON text of an error answer with this HTTP status. */
    String json(int status, String message, String param, String code) {
        if (this == CHARLM) {
            return Exchanges.error(message);
        }
        ObjectNode error = Exchanges.JSON.createObjectNode().put("message", message)
                .put("type", status >= 500 ? "server_error" : "invalid_request_error");
        error.put("param", param);
        error.put("code", code);
        ObjectNode root = Exchanges.JSON.createObjectNode();
        root.set("error", error);
        return root.toString();
    }

    String json(ApiError e) {
        return json(e.status, e.getMessage(), e.param, e.code);
    }
}
