package dev.charlm.sdk;

/** Use of a {@link CharModel} after {@link CharModel#close()}, from any thread. */
public final class ModelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    ModelClosedException(String source) {
        super("model " + source + " is closed");
    }
}
