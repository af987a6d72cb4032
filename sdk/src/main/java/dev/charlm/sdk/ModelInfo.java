package dev.charlm.sdk;

import dev.charlm.contract.Cell;
import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a model file says about itself.
 *
 * @param source file name or stream name the model was loaded from
 * @param metadata its charlm metadata, checked at load
 * @param properties every metadata entry, as stored
 */
public record ModelInfo(String source, ModelMetadata metadata, Map<String, String> properties) {

    /** The recurrent cell of every layer. */
    public Cell cell() {
        return metadata.cell();
    }

    /** Recurrent layers. */
    public int layers() {
        return metadata.layers();
    }

    /** Hidden units per layer. */
    public int hidden() {
        return metadata.hidden();
    }

    /** How text is turned into characters before lookup. */
    public Preprocessing preprocessing() {
        return metadata.preprocessing();
    }

    /** Tokens in id order; id 0 is {@code <unk>}. */
    public Vocabulary vocabulary() {
        return metadata.vocabulary();
    }

    /** Perplexity on the training data's held-out text, measured at export. */
    public OptionalDouble heldOutPerplexity() {
        return metadata.heldOutPerplexity();
    }

    /** Whether the state has a cell part (LSTM). */
    /** How the recurrent weights are stored: fp32, or int8 with a scale per row. */
    public dev.charlm.contract.Precision precision() {
        return metadata.precision();
    }

    public boolean hasCellState() {
        return metadata.cell().hasCellState();
    }

    /** Floats in one state tensor for one sequence: layers x hidden. */
    public int stateSize() {
        return layers() * hidden();
    }
}
