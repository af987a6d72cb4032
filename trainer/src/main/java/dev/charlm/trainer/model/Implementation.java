package dev.charlm.trainer.model;

import java.util.Locale;

/** Which code computes the recurrent stack. Both read the same parameters. */
public enum Implementation {
    /** DJL's {@code LSTM}/{@code GRU}/{@code RNN} blocks (one fused PyTorch call). */
    BUILTIN,
    /** The chapter's equations with NDArray ops, layer by layer and step by step. */
    SCRATCH;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Implementation fromId(String id) {
        for (Implementation i : values()) {
            if (i.id().equals(id)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown impl '" + id + "' (expected builtin or scratch)");
    }
}
