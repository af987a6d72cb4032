package dev.charlm.trainer.train;

import java.util.Locale;

/** The update rule. */
public enum OptimizerKind {
    /** theta -= lr * g (d2l's {@code sgd}). */
    SGD,
    /** Adam (Kingma and Ba, 2015) with beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected. */
    ADAM;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OptimizerKind fromId(String id) {
        for (OptimizerKind k : values()) {
            if (k.id().equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + id + "' (expected sgd or adam)");
    }
}
