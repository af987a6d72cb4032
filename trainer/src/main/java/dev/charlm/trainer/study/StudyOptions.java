package dev.charlm.trainer.study;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.trainer.data.DefaultData;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.trainer.data.TextStore;
import dev.charlm.trainer.train.LearningRateSchedule;
import dev.charlm.trainer.train.OptimizerKind;
import dev.charlm.trainer.train.TrainingRecipe;
import dev.charlm.trainer.train.TrainingSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Options every study takes: where results go, the texts, and the recipe of every run (by
 * default the trainer's own default recipe).
 */
final class StudyOptions {

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "docs/exercises",
            description = "Where the table, figure and numbers go. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs/study",
            description = "Where the runs' checkpoints go. Default: ${DEFAULT-VALUE}.")
    Path runs;

    @Option(names = "--data", paramLabel = "FILE",
            description = "The texts, in order (repeatable). Default: the library's twelve novels (or The Time"
                    + " Machine for recipes and cells).")
    List<Path> data = new ArrayList<>();

    @Option(names = "--layers", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
    int layers;

    @Option(names = "--hidden", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--dropout", defaultValue = "0.3", description = "Default: ${DEFAULT-VALUE}.")
    float dropout;

    @Option(names = "--optimizer", defaultValue = "adam", description = "Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", description = "Default: the trainer's, 0.005 with adam, 2 with sgd.")
    Float lr;

    @Option(names = "--lr-schedule", description = "Default: the trainer's, cosine with adam, constant with sgd.")
    String schedule;

    @Option(names = "--weight-decay", description = "Default: the trainer's, 0.05 with adam, 0 with sgd.")
    Float weightDecay;

    @Option(names = "--average", description = "Default: the trainer's, 0.999 with adam, 0 with sgd.")
    Float average;

    @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--num-steps", defaultValue = "35", description = "Default: ${DEFAULT-VALUE}.")
    int numSteps;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The recipe with {@code epochs} epochs and no time limit. */
    TrainingSettings settings(int epochs) {
        return settings(epochs, 0, schedule());
    }

    /** The recipe with the given schedule, stopping after {@code epochs} or {@code maxMinutes}. */
    TrainingSettings settings(int epochs, double maxMinutes, LearningRateSchedule schedule) {
        TrainingRecipe r = recipe();
        return new TrainingSettings(Partitioning.SEQUENTIAL, optimizer(), r.lr(), schedule, 0, r.weightDecay(), 1f,
                r.average(), epochs, maxMinutes, batchSize, numSteps, seed, 0);
    }

    /** The recipe in words, for a table's footnote, with the schedule the study uses. */
    String describe(LearningRateSchedule scheduleUsed) {
        TrainingRecipe r = recipe();
        return String.format(Locale.ROOT, "%dx%d, %s lr %s (%s), weight decay %s, averaging %s, dropout %s,"
                + " batch %dx%d, seed %d", layers, hidden, optimizer, r.lr(), scheduleUsed.id(), r.weightDecay(),
                r.average(), dropout, batchSize, numSteps, seed);
    }

    LearningRateSchedule schedule() {
        return recipe().schedule();
    }

    private OptimizerKind optimizer() {
        return OptimizerKind.fromId(optimizer);
    }

    /** The trainer's recipe for the optimizer, with the options given here in place of its own. */
    private TrainingRecipe recipe() {
        return TrainingRecipe.of(optimizer()).with(lr, schedule == null ? null : LearningRateSchedule.fromId(schedule),
                weightDecay, average);
    }

    /** The texts given, or the library's (whole, or the ones the filter takes). */
    List<Path> library() throws InvalidTextException {
        return data.isEmpty() ? Library.resolveAll(TextStore.fromSystemProperties()) : List.copyOf(data);
    }

    /** The texts given, or The Time Machine. */
    List<Path> timeMachine() throws InvalidTextException {
        return data.isEmpty() ? List.of(DefaultData.fromSystemProperties().timeMachine()) : List.copyOf(data);
    }
}
