package dev.charlm.trainer.train;

/**
 * What an optimizer's unset options default to, for `charlm train` and every study: for Adam,
 * the best recipe found for the chapter's model in about ten minutes on two cores
 * (docs/exercises.md); for SGD, the chapter's own.
 */
public record TrainingRecipe(float lr, LearningRateSchedule schedule, float weightDecay, float average) {

    // Compile-time constants, so that help texts quote the recipes rather than repeat them.
    public static final float ADAM_LR = 0.005f;
    public static final String ADAM_SCHEDULE = "cosine";
    public static final float ADAM_WEIGHT_DECAY = 0.05f;
    public static final float ADAM_AVERAGE = 0.999f;
    public static final float SGD_LR = 2f;
    public static final String SGD_SCHEDULE = "constant";
    public static final float SGD_WEIGHT_DECAY = 0f;
    public static final float SGD_AVERAGE = 0f;

    public static final TrainingRecipe ADAM = new TrainingRecipe(ADAM_LR, LearningRateSchedule.fromId(ADAM_SCHEDULE),
            ADAM_WEIGHT_DECAY, ADAM_AVERAGE);
    public static final TrainingRecipe SGD = new TrainingRecipe(SGD_LR, LearningRateSchedule.fromId(SGD_SCHEDULE),
            SGD_WEIGHT_DECAY, SGD_AVERAGE);

    public static TrainingRecipe of(OptimizerKind optimizer) {
        return optimizer == OptimizerKind.ADAM ? ADAM : SGD;
    }

    /** This recipe with the values a command line gave in place of its own; null: not given. */
    public TrainingRecipe with(Float lr, LearningRateSchedule schedule, Float weightDecay, Float average) {
        return new TrainingRecipe(lr != null ? lr : this.lr, schedule != null ? schedule : this.schedule,
                weightDecay != null ? weightDecay : this.weightDecay, average != null ? average : this.average);
    }
}
