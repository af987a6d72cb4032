package dev.charlm.trainer.study;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.trainer.data.DefaultData;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.trainer.data.TextStore;
import dev.charlm.trainer.train.LearningRateSchedule;
import dev.charlm.trainer.RecipeMixin;
import dev.charlm.trainer.ShapeMixin;
import dev.charlm.trainer.train.TrainingSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
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

    @Mixin
    ShapeMixin shape;

    @Mixin
    RecipeMixin recipe;

    /** The recipe with {@code epochs} epochs and no time limit. */
    TrainingSettings settings(int epochs) {
        return recipe.settings(Partitioning.SEQUENTIAL, epochs, 0, 0);
    }

    /** The recipe with the given schedule, stopping after {@code epochs} or {@code maxMinutes}. */
    TrainingSettings settings(int epochs, double maxMinutes, LearningRateSchedule schedule) {
        return recipe.settings(Partitioning.SEQUENTIAL, epochs, maxMinutes, 0, schedule);
    }

    /** The recipe in words, for a table's footnote, with the schedule the study uses. */
    String describe(LearningRateSchedule scheduleUsed) {
        return recipe.describe(shape, scheduleUsed);
    }

    LearningRateSchedule schedule() {
        return recipe.recipe().schedule();
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
