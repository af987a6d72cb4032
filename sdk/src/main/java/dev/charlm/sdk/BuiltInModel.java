package dev.charlm.sdk;

import dev.charlm.contract.Precision;

/**
 * The models inside the sdk jar, each in fp32 and as its int8 twin (a quarter of the size, the
 * same perplexity within 0.5%; docs/results.md). {@link CharModel#loadBuiltIn} loads one.
 *
 * <p>{@link #DEFAULT} is the fast one, for generation and light scoring; {@link #LARGE} is the
 * scoring model, lower perplexity at about half the speed.
 */
public enum BuiltInModel {
    /** The chapter's 2x256 LSTM trained on the library's twelve novels: the default everywhere. */
    DEFAULT("default", "default-model"),
    /**
     * A 2x384 LSTM trained on the library and the 21 further novels ({@code --data library --data
     * more}), five times the text: the model for scoring (docs/results.md, "The large model").
     */
    LARGE("large", "large-model");

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

    /** The names of all built-in models, for messages: {@code default, large}. */
    public static String ids() {
        return java.util.Arrays.stream(values()).map(BuiltInModel::id).collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * The built-in model a model argument ({@code --model}, Spark's {@code modelPath}) names,
     * unless a file of that name exists: a user's own file wins over a name.
     */
    public static java.util.Optional<BuiltInModel> namedUnlessFile(String fileOrName) {
        return java.nio.file.Files.exists(java.nio.file.Path.of(fileOrName)) ? java.util.Optional.empty()
                : named(fileOrName);
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
