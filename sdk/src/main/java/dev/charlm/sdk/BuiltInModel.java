package dev.charlm.sdk;

import dev.charlm.contract.Precision;

/**
 * The models inside the sdk jar, each in fp32 and as its int8 twin (a quarter of the size, the
 * same perplexity within 0.5%; docs/results.md). {@link CharModel#loadBuiltIn} loads one.
 */
public enum BuiltInModel {
    /** The chapter's 2x256 LSTM trained on the library's twelve novels: the default everywhere. */
    DEFAULT("default", "default-model");

    private final String id;
    private final String resource;

    BuiltInModel(String id, String resource) {
        this.id = id;
        this.resource = resource;
    }

    /** The name a command line gives it ({@code --model default}). */
    public String id() {
        return id;
    }

    /** The class-path resource of its file in {@code precision}. */
    public String resource(Precision precision) {
        return "/dev/charlm/sdk/" + resource + (precision == Precision.INT8 ? "-int8" : "") + ".onnx";
    }

    /** The built-in model named {@code id}, if there is one. */
    public static java.util.Optional<BuiltInModel> named(String id) {
        for (BuiltInModel m : values()) {
            if (m.id.equals(id)) {
                return java.util.Optional.of(m);
            }
        }
        return java.util.Optional.empty();
    }
}
