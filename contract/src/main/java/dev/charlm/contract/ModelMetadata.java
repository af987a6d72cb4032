package dev.charlm.contract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What a frozen model says about itself, in its ONNX {@code metadata_props} under {@link
 * ModelContract}'s keys: written by the exporter ({@link #toProperties()}), read and checked by
 * the sdk ({@link #fromProperties}), so the two cannot drift apart.
 *
 * @param cell the recurrent cell of every layer
 * @param layers recurrent layers (at least 1)
 * @param hidden hidden units per layer (at least 1)
 * @param preprocessing how text becomes characters
 * @param vocabulary tokens in id order; id 0 is {@code <unk>}
 * @param implementation the trainer's implementation that produced it ({@code builtin} or
 *     {@code scratch}), or null when not recorded
 * @param trainingData the files it was trained on, or empty when not recorded
 * @param heldOutPerplexity perplexity on the held-out text, measured on the frozen model
 * @param heldOutCharacters how many held-out characters that was measured on
 * @param precision how the recurrent weights are stored
 * @param quantizedFrom for an int8 model, what it was made from ("sha256:HEX of NAME"), else null
 */
public record ModelMetadata(Cell cell, int layers, int hidden, Preprocessing preprocessing, Vocabulary vocabulary,
        String implementation, List<TrainingFile> trainingData, OptionalDouble heldOutPerplexity,
        OptionalLong heldOutCharacters, Precision precision, String quantizedFrom) {

    /** One training file: its name and the SHA-256 of its bytes. */
    public record TrainingFile(String file, String sha256) {}

    public ModelMetadata {
        if (layers < 1 || hidden < 1) {
            throw new IllegalArgumentException("layers and hidden must be positive, got " + layers + " and " + hidden);
        }
        trainingData = List.copyOf(trainingData);
        precision = precision == null ? Precision.FP32 : precision;
    }

    /** The metadata of a model with no training record yet. */
    public ModelMetadata(Cell cell, int layers, int hidden, Preprocessing preprocessing, Vocabulary vocabulary,
            String implementation) {
        this(cell, layers, hidden, preprocessing, vocabulary, implementation, List.of(), OptionalDouble.empty(),
                OptionalLong.empty(), Precision.FP32, null);
    }

    /** The same with a training record: the files and the held-out score measured on the frozen model. */
    public ModelMetadata withTrainingRecord(List<TrainingFile> files, double perplexity, long characters) {
        return new ModelMetadata(cell, layers, hidden, preprocessing, vocabulary, implementation, files,
                OptionalDouble.of(perplexity), OptionalLong.of(characters), precision, quantizedFrom);
    }

    /** The same stored in {@code newPrecision}, made from {@code origin} ("sha256:HEX of NAME"). */
    public ModelMetadata withPrecision(Precision newPrecision, String origin) {
        return new ModelMetadata(cell, layers, hidden, preprocessing, vocabulary, implementation, trainingData,
                heldOutPerplexity, heldOutCharacters, newPrecision, origin);
    }

    /** The metadata_props, in a fixed order. */
    public Map<String, String> toProperties() {
        Map<String, String> md = new LinkedHashMap<>();
        md.put(ModelContract.KEY_FORMAT_VERSION, Integer.toString(ModelContract.FORMAT_VERSION));
        md.put(ModelContract.KEY_CELL, cell.id());
        md.put(ModelContract.KEY_LAYERS, Integer.toString(layers));
        md.put(ModelContract.KEY_HIDDEN, Integer.toString(hidden));
        md.put(ModelContract.KEY_PREPROCESSING, preprocessing.id());
        md.put(ModelContract.KEY_VOCAB, JsonStrings.encode(vocabulary.tokens()));
        md.put(ModelContract.KEY_UNK_ID, Integer.toString(ModelContract.UNK_ID));
        if (implementation != null) {
            md.put(ModelContract.KEY_IMPL, implementation);
        }
        if (!trainingData.isEmpty()) {
            List<Object> files = new ArrayList<>();
            for (TrainingFile f : trainingData) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("file", f.file());
                o.put("sha256", f.sha256());
                files.add(o);
            }
            md.put(ModelContract.KEY_TRAINING_DATA, Json.write(files));
        }
        heldOutPerplexity.ifPresent(p -> md.put(ModelContract.KEY_HELDOUT_PERPLEXITY, String.format(Locale.ROOT, "%.6f", p)));
        heldOutCharacters.ifPresent(c -> md.put(ModelContract.KEY_HELDOUT_CHARACTERS, Long.toString(c)));
        md.put(ModelContract.KEY_PRECISION, precision.id());
        if (quantizedFrom != null) {
            md.put(ModelContract.KEY_QUANTIZED_FROM, quantizedFrom);
        }
        return md;
    }

    /**
     * Reads and checks metadata_props.
     *
     * @throws InvalidMetadataException naming the key and what is wrong with it
     */
    public static ModelMetadata fromProperties(Map<String, String> md) throws InvalidMetadataException {
        if (!md.containsKey(ModelContract.KEY_FORMAT_VERSION)) {
            throw new InvalidMetadataException("an ONNX model without charlm metadata (no "
                    + ModelContract.KEY_FORMAT_VERSION + "); export it with charlm export");
        }
        int version = intKey(md, ModelContract.KEY_FORMAT_VERSION);
        if (version != ModelContract.FORMAT_VERSION) {
            throw new InvalidMetadataException("charlm format version " + version + ", this build reads "
                    + ModelContract.FORMAT_VERSION);
        }
        String cellId = require(md, ModelContract.KEY_CELL);
        Cell cell;
        try {
            cell = Cell.fromId(cellId);
        } catch (IllegalArgumentException e) {
            throw new InvalidMetadataException("unknown cell '" + cellId + "' in " + ModelContract.KEY_CELL);
        }
        int layers = intKey(md, ModelContract.KEY_LAYERS);
        int hidden = intKey(md, ModelContract.KEY_HIDDEN);
        if (layers < 1 || hidden < 1) {
            throw new InvalidMetadataException("layers and hidden must be positive, got " + layers + " and " + hidden);
        }
        Preprocessing preprocessing;
        Vocabulary vocab;
        try {
            preprocessing = Preprocessing.fromId(require(md, ModelContract.KEY_PREPROCESSING));
            vocab = Vocabulary.of(JsonStrings.decode(require(md, ModelContract.KEY_VOCAB)));
        } catch (IllegalArgumentException e) {
            throw new InvalidMetadataException(e.getMessage());
        }
        if (intKey(md, ModelContract.KEY_UNK_ID) != ModelContract.UNK_ID) {
            throw new InvalidMetadataException(ModelContract.KEY_UNK_ID + " must be " + ModelContract.UNK_ID);
        }
        List<TrainingFile> files = new ArrayList<>();
        String data = md.get(ModelContract.KEY_TRAINING_DATA);
        if (data != null) {
            try {
                for (Object o : (List<?>) Json.parse(data, ModelContract.KEY_TRAINING_DATA)) {
                    Map<?, ?> f = (Map<?, ?>) o;
                    files.add(new TrainingFile((String) f.get("file"), (String) f.get("sha256")));
                }
            } catch (ClassCastException | IllegalArgumentException e) {
                throw new InvalidMetadataException(ModelContract.KEY_TRAINING_DATA + " is not a list of files ("
                        + e.getMessage() + ")");
            }
        }
        OptionalDouble ppl = OptionalDouble.empty();
        String p = md.get(ModelContract.KEY_HELDOUT_PERPLEXITY);
        if (p != null) {
            try {
                ppl = OptionalDouble.of(Double.parseDouble(p));
            } catch (NumberFormatException e) {
                throw new InvalidMetadataException(ModelContract.KEY_HELDOUT_PERPLEXITY + " is not a number: " + p);
            }
        }
        OptionalLong chars = OptionalLong.empty();
        if (md.containsKey(ModelContract.KEY_HELDOUT_CHARACTERS)) {
            chars = OptionalLong.of(intKey(md, ModelContract.KEY_HELDOUT_CHARACTERS));
        }
        Precision precision = Precision.FP32;
        if (md.containsKey(ModelContract.KEY_PRECISION)) {
            try {
                precision = Precision.fromId(md.get(ModelContract.KEY_PRECISION));
            } catch (IllegalArgumentException e) {
                throw new InvalidMetadataException(ModelContract.KEY_PRECISION + ": " + e.getMessage());
            }
        }
        return new ModelMetadata(cell, layers, hidden, preprocessing, vocab, md.get(ModelContract.KEY_IMPL), files,
                ppl, chars, precision, md.get(ModelContract.KEY_QUANTIZED_FROM));
    }

    private static String require(Map<String, String> md, String key) throws InvalidMetadataException {
        String v = md.get(key);
        if (v == null) {
            throw new InvalidMetadataException("metadata lacks " + key);
        }
        return v;
    }

    private static int intKey(Map<String, String> md, String key) throws InvalidMetadataException {
        String v = require(md, key);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidMetadataException(key + " must be an integer, got '" + v + "'");
        }
    }

    /** Metadata that does not follow the contract; the message names the key. */
    public static final class InvalidMetadataException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidMetadataException(String message) {
            super(message);
        }
    }
}
