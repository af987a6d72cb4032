package dev.charlm.exporter;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.checkpoint.Checkpoint;
import dev.charlm.trainer.checkpoint.ModelConfig;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.trainer.checkpoint.TensorFile;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.CharRnnModel;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.model.ParameterLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Checkpoints built in code: random weights of a realistic scale, a small text to hold out. */
final class Fixtures {

    private Fixtures() {}

    static Path text(Path dir) throws Exception {
        Path f = dir.resolve("slice.txt");
        if (!Files.exists(f)) {
            String book = Files.readString(Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt"));
            Files.writeString(f, book.substring(0, 6_000));
        }
        return f;
    }

    static Path checkpoint(Path dir, String name, Cell cell, int layers, Implementation impl) throws Exception {
        return checkpoint(dir, name, cell, layers, 24, impl);
    }

    static Path checkpoint(Path dir, String name, Cell cell, int layers, int hidden, Implementation impl)
            throws Exception {
        Path text = text(dir);
        Corpus corpus = Corpus.load(List.of(text), Preprocessing.D2L, 0.1, null);
        ModelConfig config = new ModelConfig(cell, impl, layers, hidden, 0f, Preprocessing.D2L, corpus.vocabulary());
        Map<String, Tensor> weights = weights(config, name);
        JsonObject metrics = new JsonObject();
        return write(dir, name, text, corpus, config, weights, metrics);
    }

    /** Random weights of a realistic scale for {@code config}, drawn from {@code seed}'s hash. */
    static Map<String, Tensor> weights(ModelConfig config, String seed) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Random random = new Random(seed.hashCode());
        ParameterLayout.shapes(config.spec()).forEach((k, shape) -> {
            long size = 1;
            for (long d : shape) {
                size *= d;
            }
            // Larger than initialisation so gates saturate too, but recurrent weights keep a
            // spectral radius below 1 (uniform +-a has radius ~ a * sqrt(H / 3)): a chaotic
            // random RNN would amplify float rounding over 200 steps, as no trained model does.
            float scale = k.contains("h2h_WEIGHT") ? 0.3f : 0.6f;
            float[] v = new float[(int) size];
            for (int i = 0; i < v.length; i++) {
                v[i] = (random.nextFloat() * 2 - 1) * scale;
            }
            weights.put(k, new Tensor(shape, v));
        });
        return weights;
    }

    private static Path write(Path dir, String name, Path text, Corpus corpus, ModelConfig config,
            Map<String, Tensor> weights, JsonObject metrics) throws Exception {
        JsonObject settings = new JsonObject();
        settings.addProperty("holdout", 0.1);
        metrics.add("settings", settings);
        JsonArray data = new JsonArray();
        JsonObject d = new JsonObject();
        d.addProperty("path", text.toString());
        d.addProperty("sha256", corpus.sources().get(0).sha256());
        data.add(d);
        metrics.add("data", data);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(Checkpoint.CONFIG, Checkpoint.json(config.toJson()));
        files.put(Checkpoint.WEIGHTS, TensorFile.toBytes(weights));
        files.put(Checkpoint.METRICS, Checkpoint.json(metrics));
        Path out = dir.resolve(name);
        Checkpoint.writeDirectory(out, files, 1);
        return out;
    }
}
