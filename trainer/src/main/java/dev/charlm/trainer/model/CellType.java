package dev.charlm.trainer.model;

import dev.charlm.trainer.internal.EnumIds;

/** The recurrent cell of every layer. Gate blocks are stacked in PyTorch's order. */
public enum CellType {
    /** Gates i, f, g, o; state (h, c). */
    LSTM(4, 2),
    /** Gates r, z, n (PyTorch's GRU, reset applied after the recurrent product); state h. */
    GRU(3, 1),
    /** h = tanh(W_ih x + b_ih + W_hh h + b_hh); state h. */
    RNN(1, 1);

    private final int gates;
    private final int stateCount;

    CellType(int gates, int stateCount) {
        this.gates = gates;
        this.stateCount = stateCount;
    }

    /** Number of gate blocks stacked in each weight matrix (rows = gates x hidden). */
    public int gates() {
        return gates;
    }

    /** Number of state tensors per layer stack: 2 for LSTM (h, c), else 1. */
    public int stateCount() {
        return stateCount;
    }

    /** Lowercase name used on the command line and in files. */
    public String id() {
        return EnumIds.id(this);
    }

    /** Parses {@code lstm|gru|rnn}; the message names the accepted values. */
    public static CellType fromId(String id) {
        return EnumIds.parse(CellType.class, id, "cell");
    }
}
