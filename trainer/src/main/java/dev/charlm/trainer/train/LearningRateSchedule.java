package dev.charlm.trainer.train;

import dev.charlm.trainer.internal.EnumIds;

/** How the learning rate changes over the run's update steps, after an optional linear warm-up. */
public enum LearningRateSchedule {
    /** The base rate throughout (the chapter's). */
    CONSTANT,
    /**
     * Half a cosine from the base rate down to zero over the planned steps (Loshchilov and
     * Hutter, SGDR, 2017, without restarts).
     */
    COSINE;

    public String id() {
        return EnumIds.id(this);
    }

    public static LearningRateSchedule fromId(String id) {
        return EnumIds.parse(LearningRateSchedule.class, id, "learning-rate schedule");
    }

    /**
     * The rate of update {@code step} (0-based).
     *
     * @param base the base learning rate
     * @param totalSteps updates planned for the whole run
     * @param warmupSteps updates over which the rate rises linearly from base / warmupSteps
     */
    public float rate(float base, long step, long totalSteps, long warmupSteps) {
        if (step < warmupSteps) {
            return base * (step + 1) / warmupSteps;
        }
        if (this == CONSTANT || totalSteps <= warmupSteps) {
            return base;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return (float) (base * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
