package dev.charlm.app;

/**
 * A request the API refuses, with its HTTP status, and for OpenAI's clients the request field
 * at fault ({@code param}) and a machine-readable {@code code}, when there are.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String param;
    final String code;

    ApiError(int status, String message) {
        this(status, message, null, null);
    }

    ApiError(int status, String message, String param, String code) {
        super(message);
        this.status = status;
        this.param = param;
        this.code = code;
    }

    /** A 400 naming the request field at fault. */
    static ApiError field(String field, String message) {
        return new ApiError(400, message, field, null);
    }
}
