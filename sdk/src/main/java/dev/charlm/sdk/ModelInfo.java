package dev.charlm.sdk;

import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a model file says about itself (its metadata).
 *
 * @param source file name or stream name the model was loaded from
 * @param cell {@code lstm}, {@code gru} or {@code rnn}
 * @param layers recurrent layers
 * @param hidden hidden units per layer
 * @param preprocessing how text is turned into characters before lookup
 * @param vocabulary tokens in id order; id 0 is {@code <unk>}
 * @param heldOutPerplexity perplexity on the training data's held-out text, measured at export
 * @param metadata every metadata entry, as stored
 */
public record ModelInfo(String source, String cell, int layers, int hidden, Preprocessing preprocessing,
        Vocabulary vocabulary, OptionalDouble heldOutPerplexity, Map<String, String> metadata) {

    /** Whether the state has a cell part (LSTM). */
    public boolean hasCellState() {
        return "lstm".equals(cell);
    }

    /** Floats in one state tensor for one sequence: layers x hidden. */
    public int stateSize() {
        return layers * hidden;
    }
}
