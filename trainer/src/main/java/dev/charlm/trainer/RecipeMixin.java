package dev.charlm.trainer;

import dev.charlm.trainer.data.Partitioning;
import dev.charlm.trainer.train.LearningRateSchedule;
import dev.charlm.trainer.train.OptimizerKind;
import dev.charlm.trainer.train.TrainingRecipe;
import dev.charlm.trainer.train.TrainingSettings;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * How to train, for charlm train and every study: the optimizer and the values of its recipe
 * ({@link TrainingRecipe}: what unset options default to, per optimizer), clipping, batches and
 * the seed. {@link TrainingSettings} owns the rules of every value.
 */
public class RecipeMixin {

    @Option(names = "--optimizer", defaultValue = "adam", converter = IdConverters.Optimizers.class,
            description = "adam or sgd. Default: ${DEFAULT-VALUE}.")
    public OptimizerKind optimizer;

    @Option(names = "--lr", description = "Learning rate. Default: " + TrainingRecipe.ADAM_LR + " with adam, "
            + TrainingRecipe.SGD_LR + " with sgd (the chapter's).")
    Float lr;

    @Option(names = "--lr-schedule", paramLabel = "NAME", converter = IdConverters.Schedules.class,
            description = "constant or cosine (decay to zero over the run's planned steps). Default: "
                    + TrainingRecipe.ADAM_SCHEDULE + " with adam, " + TrainingRecipe.SGD_SCHEDULE + " with sgd.")
    LearningRateSchedule schedule;

    @Option(names = "--warmup-steps", paramLabel = "N", defaultValue = "0",
            description = "Updates of linear learning-rate warm-up. Default: ${DEFAULT-VALUE}.")
    int warmupSteps;

    @Option(names = "--weight-decay", paramLabel = "W",
            description = "Decoupled weight decay per update (AdamW with adam). Default: " + TrainingRecipe.ADAM_WEIGHT_DECAY
                    + " with adam, " + TrainingRecipe.SGD_WEIGHT_DECAY + " with sgd.")
    Float weightDecay;

    @Option(names = "--clip", paramLabel = "THETA", defaultValue = "1",
            description = "Global gradient-norm clipping threshold. Default: ${DEFAULT-VALUE}.")
    float clip;

    @Option(names = "--average", paramLabel = "DECAY",
            description = "Evaluate and save an exponential moving average of the weights with this decay; 0: off."
                    + " Default: " + TrainingRecipe.ADAM_AVERAGE + " with adam, " + TrainingRecipe.SGD_AVERAGE + " with sgd.")
    Float average;

    @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    public int batchSize;

    @Option(names = "--num-steps", defaultValue = "35", description = "Characters per window. Default: ${DEFAULT-VALUE}.")
    public int numSteps;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    public long seed;

    /** The optimizer's recipe with the values given here in its place. */
    public TrainingRecipe recipe() {
        return TrainingRecipe.of(optimizer).with(lr, schedule, weightDecay, average);
    }

    /** The settings for a run of {@code epochs} (stopping after {@code maxMinutes}, 0: no limit). */
    public TrainingSettings settings(Partitioning partitioning, int epochs, double maxMinutes, int checkpointEvery) {
        return settings(partitioning, epochs, maxMinutes, checkpointEvery, recipe().schedule());
    }

    /** The same with another schedule (a time budget has no planned end to decay towards). */
    public TrainingSettings settings(Partitioning partitioning, int epochs, double maxMinutes, int checkpointEvery,
            LearningRateSchedule scheduleUsed) {
        TrainingRecipe r = recipe();
        return new TrainingSettings(partitioning, optimizer, r.lr(), scheduleUsed, warmupSteps, r.weightDecay(), clip,
                r.average(), epochs, maxMinutes, batchSize, numSteps, seed, checkpointEvery);
    }

    /** The recipe in words, for a table's footnote, with the schedule used. */
    public String describe(ShapeMixin shape, LearningRateSchedule scheduleUsed) {
        TrainingRecipe r = recipe();
        return String.format(Locale.ROOT, "%dx%d, %s lr %s (%s), weight decay %s, averaging %s, dropout %s,"
                + " batch %dx%d, seed %d", shape.layers, shape.hidden, optimizer.id(), r.lr(), scheduleUsed.id(),
                r.weightDecay(), r.average(), shape.dropout, batchSize, numSteps, seed);
    }
}
