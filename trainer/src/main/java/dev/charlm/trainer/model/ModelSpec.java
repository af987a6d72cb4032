package dev.charlm.trainer.model;

import dev.charlm.contract.InvalidFieldException;

import dev.charlm.contract.Cell;

/**
 * The shape of a model: everything needed to allocate its parameters.
 *
 * @param cell recurrent cell of every layer
 * @param layers number of stacked recurrent layers L (at least 1)
 * @param hidden hidden units per layer H (at least 1)
 * @param vocabSize number of tokens V, {@code <unk>} included; input is one-hot of this size
 * @param dropout dropout rate on each recurrent layer's output (into the next layer and into the
 *     output layer) while training, in [0, 1)
 */
public record ModelSpec(Cell cell, int layers, int hidden, int vocabSize, float dropout) {
    public ModelSpec {
        if (layers < 1) {
            throw new InvalidFieldException("layers", "must be positive, got " + layers);
        }
        if (hidden < 1) {
            throw new InvalidFieldException("hidden", "must be positive, got " + hidden);
        }
        if (vocabSize < 2) {
            throw new IllegalArgumentException("vocabulary needs at least 2 tokens, got " + vocabSize);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new InvalidFieldException("dropout", "must be in [0, 1), got " + dropout);
        }
    }

    /** Input width of layer {@code l}: V for the first layer (one-hot), H after it. */
    public int inputSize(int layer) {
        return layer == 0 ? vocabSize : hidden;
    }
}
