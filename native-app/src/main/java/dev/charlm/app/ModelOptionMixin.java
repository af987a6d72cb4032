package dev.charlm.app;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.InvalidModelException;
import dev.charlm.sdk.ModelOptions;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model FILE}, shared by the commands; the embedded default model without it. */
public class ModelOptionMixin {

    @Option(names = "--model", paramLabel = "FILE",
            description = "A model written by charlm export. Default: the embedded 2x256 LSTM trained on The Time Machine.")
    Path model;

    CharModel load(ModelOptions options) throws UserError {
        NativeLibraryCache.prepare();
        try {
            return model == null ? CharModel.loadDefault(options) : CharModel.load(model, options);
        } catch (NoSuchFileException e) {
            throw new UserError(model + ": no such model file");
        } catch (InvalidModelException e) {
            throw new UserError(e.getMessage());
        } catch (IOException e) {
            throw new UserError((model == null ? "default model" : model) + ": cannot be read (" + e.getMessage() + ")");
        }
    }
}
