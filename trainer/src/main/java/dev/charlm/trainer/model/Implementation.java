package dev.charlm.trainer.model;

import dev.charlm.trainer.internal.EnumIds;

/** Which code computes the recurrent stack. Both read the same parameters. */
public enum Implementation {
    /** DJL's {@code LSTM}/{@code GRU}/{@code RNN} blocks (one fused PyTorch call). */
    BUILTIN,
    /** The chapter's equations with NDArray ops, layer by layer and step by step. */
    SCRATCH;

    public String id() {
        return EnumIds.id(this);
    }

    public static Implementation fromId(String id) {
        return EnumIds.parse(Implementation.class, id, "impl");
    }
}
