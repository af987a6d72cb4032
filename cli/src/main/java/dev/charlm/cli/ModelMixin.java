package dev.charlm.cli;

import dev.charlm.contract.Precision;
import dev.charlm.sdk.BuiltInModel;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.InvalidModelException;
import dev.charlm.sdk.ModelOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --model FILE|NAME} and {@code --precision}: the model a command runs. A built-in model
 * is named ({@code default}, the default, or {@code large}) and {@code --precision} picks its fp32 file or its int8
 * twin; a file of the user's is taken as it is.
 */
public class ModelMixin {

    @Option(names = "--model", paramLabel = "FILE|NAME",
            description = "A model written by charlm export, or a built-in model's name: default (the chapter's 2x256"
                    + " LSTM, fast) or large (a 2x384 LSTM on five times the text: lower perplexity, for scoring)."
                    + " Default: default.")
    String model;

    @Option(names = "--precision", paramLabel = "P", converter = PrecisionIds.class,
            description = "fp32 or int8: which twin of a built-in model (int8: a quarter of the size, faster, the"
                    + " same perplexity within 0.5%%). Default: fp32.")
    Precision precision;

    /** The choice a command line makes with {@code --model model --precision precision} (either may be null). */
    public static ModelMixin of(String model, Precision precision) {
        ModelMixin m = new ModelMixin();
        m.model = model;
        m.precision = precision;
        return m;
    }

    /** The built-in model asked for, if it is one (a file of that name wins). */
    public Optional<BuiltInModel> builtIn() {
        if (model == null) {
            return Optional.of(BuiltInModel.DEFAULT);
        }
        return BuiltInModel.namedUnlessFile(model);
    }

    /**
     * The model's name for clients that name models (OpenAI's {@code model} field): {@code
     * charlm-default} (or {@code charlm-default-int8}) for a built-in model, the file's name
     * without {@code .onnx} for a file.
     */
    public String name() {
        Optional<BuiltInModel> b = builtIn();
        if (b.isPresent()) {
            return "charlm-" + b.get().id() + (precision() == Precision.FP32 ? "" : "-" + precision().id());
        }
        String file = Path.of(model).getFileName().toString();
        return file.endsWith(".onnx") ? file.substring(0, file.length() - ".onnx".length()) : file;
    }

    /** The model's file: the one given, or a built-in one written to a temporary file (to ship it). */
    public Path file() throws UsageError {
        Optional<BuiltInModel> b = builtIn();
        if (b.isEmpty()) {
            checkNoPrecision();
            return Path.of(model);
        }
        try (InputStream in = CharModel.class.getResourceAsStream(b.get().resource(precision()))) {
            Path dir = Files.createTempDirectory("charlm-model");
            Path f = dir.resolve(b.get().id() + "-" + precision().id() + ".onnx");
            Files.copy(in, f);
            f.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return f;
        } catch (IOException | NullPointerException e) {
            throw new UsageError("the built-in model cannot be written to a temporary file: " + e);
        }
    }

    /** Loads the model with {@code options}; a file that is missing or not a model is the user's mistake. */
    public CharModel load(ModelOptions options) throws UsageError {
        NativeLibraryCache.prepare();
        Optional<BuiltInModel> b = builtIn();
        try {
            if (b.isPresent()) {
                return CharModel.loadBuiltIn(b.get(), precision(), options);
            }
            checkNoPrecision();
            return CharModel.load(Path.of(model), options);
        } catch (NoSuchFileException e) {
            throw new UsageError(model + ": no such model file (nor a built-in model's name: "
                    + BuiltInModel.ids() + ")");
        } catch (InvalidModelException e) {
            throw new UsageError(e.getMessage());
        } catch (IOException e) {
            throw new UsageError((model == null ? "the default model" : model) + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    private Precision precision() {
        return precision == null ? Precision.FP32 : precision;
    }

    private void checkNoPrecision() throws UsageError {
        if (precision != null) {
            throw new UsageError("--precision picks a built-in model's twin; " + model
                    + " is a file and is taken as it is");
        }
    }

    /** --precision by its id. */
    public static final class PrecisionIds implements ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return Precision.fromId(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
