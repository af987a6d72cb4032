package dev.charlm.contract;

import java.util.Locale;

/**
 * The recurrent cell of every layer, as the trainer builds it, the exporter writes it and the
 * sdk runs it. Gate blocks are stacked in PyTorch's order in checkpoints.
 */
public enum Cell {
    /** Gates i, f, g, o; state (h, c). */
    LSTM(4, 2),
    /** Gates r, z, n (PyTorch's GRU, reset applied after the recurrent product); state h. */
    GRU(3, 1),
    /** h = tanh(W_ih x + b_ih + W_hh h + b_hh); state h. */
    RNN(1, 1);

    private final int gates;
    private final int stateCount;

    Cell(int gates, int stateCount) {
        this.gates = gates;
        this.stateCount = stateCount;
    }

    /** Number of gate blocks stacked in each weight matrix (rows = gates x hidden). */
    public int gates() {
        return gates;
    }

    /** Number of state tensors: 2 for LSTM (h, c), else 1. */
    public int stateCount() {
        return stateCount;
    }

    /** Whether the state has a cell part (c) besides h. */
    public boolean hasCellState() {
        return stateCount == 2;
    }

    /** The name on the command line and in model files: {@code lstm}, {@code gru}, {@code rnn}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The cell named {@code id}.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Cell fromId(String id) {
        for (Cell c : values()) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown cell '" + id + "' (expected lstm, gru or rnn)");
    }
}
