package dev.charlm.trainer.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.charlm.contract.ModelContract;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A checkpoint's {@code config.json}: everything needed to rebuild the model and its input
 * mapping. Keys are {@link ModelContract}'s, the same a frozen model's metadata carries.
 */
public record ModelConfig(Cell cell, Implementation implementation, int layers, int hidden,
        float dropout, Preprocessing preprocessing, Vocabulary vocabulary) {

    public ModelSpec spec() {
        return new ModelSpec(cell, layers, hidden, vocabulary.size(), dropout);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty(ModelContract.KEY_FORMAT_VERSION, ModelContract.FORMAT_VERSION);
        o.addProperty(ModelContract.KEY_CELL, cell.id());
        o.addProperty(ModelContract.KEY_IMPL, implementation.id());
        o.addProperty(ModelContract.KEY_LAYERS, layers);
        o.addProperty(ModelContract.KEY_HIDDEN, hidden);
        o.addProperty(ModelContract.KEY_DROPOUT, dropout);
        o.addProperty(ModelContract.KEY_PREPROCESSING, preprocessing.id());
        JsonArray vocab = new JsonArray();
        vocabulary.tokens().forEach(vocab::add);
        o.add(ModelContract.KEY_VOCAB, vocab);
        o.addProperty(ModelContract.KEY_UNK_ID, ModelContract.UNK_ID);
        return o;
    }

    /**
     * Parses a config.
     *
     * @throws IllegalArgumentException naming the missing or invalid key
     */
    public static ModelConfig fromJson(JsonObject o) {
        int version = integer(o, ModelContract.KEY_FORMAT_VERSION);
        if (version != ModelContract.FORMAT_VERSION) {
            throw new IllegalArgumentException(ModelContract.KEY_FORMAT_VERSION + " is " + version
                    + ", this build reads " + ModelContract.FORMAT_VERSION);
        }
        List<String> tokens = new ArrayList<>();
        JsonElement vocab = require(o, ModelContract.KEY_VOCAB);
        if (!vocab.isJsonArray()) {
            throw new IllegalArgumentException(ModelContract.KEY_VOCAB + " must be an array of tokens");
        }
        vocab.getAsJsonArray().forEach(t -> tokens.add(t.getAsString()));
        return new ModelConfig(
                Cell.fromId(require(o, ModelContract.KEY_CELL).getAsString()),
                Implementation.fromId(require(o, ModelContract.KEY_IMPL).getAsString()),
                integer(o, ModelContract.KEY_LAYERS),
                integer(o, ModelContract.KEY_HIDDEN),
                require(o, ModelContract.KEY_DROPOUT).getAsFloat(),
                Preprocessing.fromId(require(o, ModelContract.KEY_PREPROCESSING).getAsString()),
                Vocabulary.of(tokens));
    }

    private static JsonElement require(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("missing key " + key);
        }
        return e;
    }

    private static int integer(JsonObject o, String key) {
        try {
            return require(o, key).getAsInt();
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException e) {
            throw new IllegalArgumentException(key + " must be an integer");
        }
    }
}
