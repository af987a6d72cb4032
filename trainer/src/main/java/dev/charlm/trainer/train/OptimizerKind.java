package dev.charlm.trainer.train;

import dev.charlm.trainer.internal.EnumIds;

/** The update rule. */
public enum OptimizerKind {
    /** theta -= lr * g (d2l's {@code sgd}). */
    SGD,
    /**
     * Adam (Kingma and Ba, 2015) with beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected; with
     * weight decay it is AdamW (decay decoupled from the gradient, Loshchilov and Hutter, 2019).
     */
    ADAM;

    public String id() {
        return EnumIds.id(this);
    }

    public static OptimizerKind fromId(String id) {
        return EnumIds.parse(OptimizerKind.class, id, "optimizer");
    }
}
