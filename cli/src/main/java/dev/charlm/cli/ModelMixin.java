package dev.charlm.cli;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.InvalidModelException;
import dev.charlm.sdk.ModelOptions;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model FILE}: the model a command runs; the one inside the sdk without it. */
public class ModelMixin {

    @Option(names = "--model", paramLabel = "FILE",
            description = "A model written by charlm export. Default: the sdk's built-in model.")
    Path model;

    /** The file given, or null for the built-in model. */
    public Path file() {
        return model;
    }

    /** Loads the model with {@code options}; a file that is missing or not a model is the user's mistake. */
    public CharModel load(ModelOptions options) throws UsageError {
        NativeLibraryCache.prepare();
        try {
            return model == null ? CharModel.loadDefault(options) : CharModel.load(model, options);
        } catch (NoSuchFileException e) {
            throw new UsageError(model + ": no such model file");
        } catch (InvalidModelException e) {
            throw new UsageError(e.getMessage());
        } catch (IOException e) {
            throw new UsageError((model == null ? "default model" : model) + ": cannot be read (" + e.getMessage() + ")");
        }
    }
}
