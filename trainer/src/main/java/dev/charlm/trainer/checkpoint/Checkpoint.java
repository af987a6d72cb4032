package dev.charlm.trainer.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import ai.djl.Device;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.CorpusSettings;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.train.TrainingSettings;
import dev.charlm.trainer.model.CharRnnModel;
import dev.charlm.trainer.model.ParameterLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint directory:
 *
 * <pre>
 * config.json      model shape, preprocessing, vocabulary ({@link ModelConfig})
 * weights.bin      parameters by canonical name ({@link ParameterLayout}, {@link TensorFile})
 * optimizer.bin    optimizer state (Adam's moments; empty for SGD)
 * metrics.json     run settings, device, seed, data files with SHA-256, per-epoch metrics
 * perplexity.png   training and validation perplexity per epoch
 * perplexity.svg   the same figure as vector graphics
 * checkpoint.json  the record: each file's size and SHA-256; replaced last, by one rename
 * </pre>
 *
 * <p>A new generation replaces the old one without a moment where no complete checkpoint
 * exists, and files charlm did not write are never touched ({@link CheckpointFiles}).
 */
public final class Checkpoint {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "weights.bin";
    public static final String OPTIMIZER = "optimizer.bin";
    public static final String METRICS = "metrics.json";
    public static final String PLOT_PNG = "perplexity.png";
    public static final String PLOT_SVG = "perplexity.svg";

    static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().create();

    private Checkpoint() {}

    /** Pretty JSON bytes of a JSON tree. */
    public static byte[] json(Object tree) {
        return (GSON.toJson(tree) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks up front that {@code dir} can be (re)written, so a run fails before training, not
     * after: its parent must be creatable and writable, and an existing {@code dir} must be a
     * charlm checkpoint or empty.
     */
    public static void checkWritable(Path dir) throws CheckpointException {
        Path abs = dir.toAbsolutePath();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new CheckpointException(dir + ": exists and is not a directory");
        }
        if (Files.isDirectory(abs) && !CheckpointFiles.isEmpty(abs) && !CheckpointFiles.isCheckpoint(abs)) {
            throw new CheckpointException(dir + ": exists, holds files and is not a checkpoint; refusing to overwrite"
                    + " it (name a new or empty directory)");
        }
        if (Files.isDirectory(abs) && !CheckpointFiles.foreignFiles(abs).isEmpty()) {
            throw new CheckpointException(dir + ": holds " + String.join(", ", CheckpointFiles.foreignFiles(abs))
                    + ", which its checkpoint record does not list (another program's?); refusing to overwrite"
                    + " them (name a new or empty directory)");
        }
        try {
            Files.createDirectories(abs.getParent());
            Path probe = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".probe-");
            Files.delete(probe);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot write there (" + reason(e) + ")");
        }
    }

    /**
     * Writes a generation of checkpoint files into {@code dir}, replacing charlm's files there
     * and leaving any others alone.
     *
     * @param files file name to content, written in order
     * @param epoch the epoch this generation holds, for the record
     */
    public static void writeDirectory(Path dir, Map<String, byte[]> files, int epoch) throws CheckpointException {
        try {
            CheckpointFiles.write(dir.toAbsolutePath(), files, epoch);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot write checkpoint (" + reason(e) + ")", e);
        }
    }

    /** Reads and validates config.json. */
    public static ModelConfig readConfig(Path dir) throws CheckpointException {
        JsonObject o = readJson(dir, CONFIG);
        try {
            return ModelConfig.fromJson(o);
        } catch (IllegalArgumentException | ClassCastException | IllegalStateException e) {
            throw new CheckpointException(dir.resolve(CONFIG) + ": " + e.getMessage());
        }
    }

    /** Reads metrics.json. */
    public static JsonObject readMetrics(Path dir) throws CheckpointException {
        return readJson(dir, METRICS);
    }

    /**
     * Reads weights.bin and checks it against the config: the same names and shapes, no more, no
     * fewer.
     */
    public static Map<String, Tensor> readWeights(Path dir, ModelConfig config) throws CheckpointException {
        Map<String, Tensor> weights = readTensors(dir, WEIGHTS);
        Map<String, long[]> expected = ParameterLayout.shapes(config.spec());
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            Tensor t = weights.get(e.getKey());
            if (t == null) {
                throw new CheckpointException(dir.resolve(WEIGHTS) + ": missing parameter " + e.getKey()
                        + " that config.json implies");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new CheckpointException(dir.resolve(WEIGHTS) + ": parameter " + e.getKey()
                        + " has shape " + Arrays.toString(t.shape()) + " but config.json implies "
                        + Arrays.toString(e.getValue()) + " (config and weights disagree)");
            }
        }
        for (String name : weights.keySet()) {
            if (!expected.containsKey(name)) {
                throw new CheckpointException(dir.resolve(WEIGHTS) + ": unexpected parameter " + name
                        + " for a " + config.layers() + "-layer " + config.cell().id()
                        + " (config and weights disagree)");
            }
        }
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        expected.keySet().forEach(k -> ordered.put(k, weights.get(k)));
        return ordered;
    }

    /** Builds the checkpoint's model on {@code device} with its weights; the caller closes it. */
    public static CharRnnModel loadModel(Path dir, ModelConfig config, Device device) throws CheckpointException {
        Map<String, Tensor> weights = readWeights(dir, config);
        CharRnnModel model = CharRnnModel.create(config.spec(), config.implementation(), device, 0);
        Map<String, float[]> values = new LinkedHashMap<>();
        weights.forEach((k, t) -> values.put(k, t.values()));
        model.setWeights(values);
        return model;
    }

    /** The committed file {@code name} of the checkpoint (itself, or its .prev copy after an interrupted write). */
    public static Path committedFile(Path dir, String name) throws CheckpointException {
        Path file = Files.isDirectory(dir) ? CheckpointFiles.resolve(dir, name) : null;
        if (file == null || !Files.isRegularFile(file)) {
            throw new CheckpointException(dir + ": not a complete checkpoint (no " + name + ")");
        }
        return file;
    }

    /** Reads a tensor file of the checkpoint. */
    public static Map<String, Tensor> readTensors(Path dir, String name) throws CheckpointException {
        Path file = Files.isDirectory(dir) ? CheckpointFiles.resolve(dir, name) : null;
        if (file == null || !Files.isRegularFile(file)) {
            throw new CheckpointException(dir + ": not a complete checkpoint (no " + name + ")");
        }
        try {
            return TensorFile.read(file);
        } catch (IOException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
    }

    private static JsonObject readJson(Path dir, String name) throws CheckpointException {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + ": no such checkpoint directory");
        }
        Path file = CheckpointFiles.resolve(dir, name);
        if (file == null || !Files.isRegularFile(file)) {
            throw new CheckpointException(dir + ": not a complete checkpoint (no " + name + ")");
        }
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new CheckpointException(file + ": not valid JSON (" + reason(e) + ")");
        }
    }

    /**
     * The checkpoint's training data (metrics.json's file list and corpus settings), reloaded
     * and split as in training with the checkpoint's vocabulary.
     *
     * @param purpose what needs the data, for the message when a file changed ("resume")
     * @throws InvalidTextException if a file is missing or its SHA-256 differs from the record
     */
    public static Corpus readCorpus(Path dir, JsonObject metrics, ModelConfig config, String purpose)
            throws CheckpointException, InvalidTextException {
        List<Path> training = new ArrayList<>();
        List<Path> evaluated = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        CorpusSettings corpusSettings;
        try {
            for (JsonElement d : metrics.getAsJsonArray("data")) {
                JsonObject o = d.getAsJsonObject();
                Path path = Path.of(o.get("path").getAsString());
                boolean trained = !o.has("trained") || o.get("trained").getAsBoolean();
                (trained ? training : evaluated).add(path);
                hashes.add(o.get("sha256").getAsString());
            }
            corpusSettings = CorpusSettings.readFrom(metrics.getAsJsonObject("settings"));
        } catch (RuntimeException e) {
            throw new CheckpointException(dir.resolve(METRICS) + ": missing run settings or data list");
        }
        Corpus corpus = Corpus.load(new CorpusSpec(training, evaluated, corpusSettings.stripFrontMatter(),
                corpusSettings.trainingCharacters()), config.preprocessing(), corpusSettings.holdout(), config.vocabulary());
        for (int i = 0; i < corpus.sources().size(); i++) {
            if (!corpus.sources().get(i).sha256().equals(hashes.get(i))) {
                throw new InvalidTextException(corpus.sources().get(i).path(),
                        "changed since the checkpoint was written (SHA-256 differs); cannot " + purpose);
            }
        }
        return corpus;
    }

    /** The run settings of metrics.json. */
    public static TrainingSettings readSettings(Path dir, JsonObject metrics) throws CheckpointException {
        try {
            return TrainingSettings.fromJson(metrics.getAsJsonObject("settings"));
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw new CheckpointException(dir.resolve(METRICS) + ": " + e.getMessage());
        }
    }

    static String reason(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
