package dev.charlm.trainer.train;

/**
 * What an optimizer's unset options default to, for `charlm train` and every study: for Adam,
 * the best recipe found for the chapter's model in about ten minutes on two cores
 * (docs/exercises.md); for SGD, the chapter's own.
 */
public record TrainingRecipe(float lr, LearningRateSchedule schedule, float weightDecay, float average) {

    public static final TrainingRecipe ADAM = new TrainingRecipe(0.005f, LearningRateSchedule.COSINE, 0.05f, 0.999f);
    public static final TrainingRecipe SGD = new TrainingRecipe(2f, LearningRateSchedule.CONSTANT, 0f, 0f);

    public static TrainingRecipe of(OptimizerKind optimizer) {
        return optimizer == OptimizerKind.ADAM ? ADAM : SGD;
    }

    /** This recipe with the values a command line gave in place of its own; null: not given. */
    public TrainingRecipe with(Float lr, LearningRateSchedule schedule, Float weightDecay, Float average) {
        return new TrainingRecipe(lr != null ? lr : this.lr, schedule != null ? schedule : this.schedule,
                weightDecay != null ? weightDecay : this.weightDecay, average != null ? average : this.average);
    }
}
