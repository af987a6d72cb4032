package dev.charlm.trainer.study;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.trainer.data.DefaultData;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.trainer.data.TextStore;
import dev.charlm.trainer.train.LearningRateSchedule;
import dev.charlm.trainer.train.OptimizerKind;
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

    @Option(names = "--lr", defaultValue = "0.005", description = "Default: ${DEFAULT-VALUE}.")
    float lr;

    @Option(names = "--lr-schedule", defaultValue = "cosine", description = "Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--weight-decay", defaultValue = "0.05", description = "Default: ${DEFAULT-VALUE}.")
    float weightDecay;

    @Option(names = "--average", defaultValue = "0.999", description = "Default: ${DEFAULT-VALUE}.")
    float average;

    @Option(names = "--batch-size", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--num-steps", defaultValue = "35", description = "Default: ${DEFAULT-VALUE}.")
    int numSteps;

    @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The recipe with {@code epochs} epochs and no time limit. */
    TrainingSettings settings(int epochs) {
        return settings(epochs, 0);
    }

    TrainingSettings settings(int epochs, double maxMinutes) {
        return new TrainingSettings(Partitioning.SEQUENTIAL, OptimizerKind.fromId(optimizer), lr,
                LearningRateSchedule.fromId(schedule), 0, weightDecay, 1f, average, epochs, maxMinutes, batchSize,
                numSteps, seed);
    }

    /** The recipe in words, for a table's footnote, with the schedule the study uses. */
    String describe(String scheduleUsed) {
        return String.format(Locale.ROOT, "%dx%d, %s lr %s (%s), weight decay %s, averaging %s, dropout %s,"
                + " batch %dx%d, seed %d", layers, hidden, optimizer, lr, scheduleUsed, weightDecay, average, dropout,
                batchSize, numSteps, seed);
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
