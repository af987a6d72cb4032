package dev.charlm.trainer.train;

import com.google.gson.JsonElement;
import dev.charlm.contract.InvalidFieldException;
import com.google.gson.JsonObject;
import dev.charlm.trainer.data.Partitioning;

/**
 * How to train, apart from the model's shape and the data; written to and read from the
 * "settings" object of a checkpoint's metrics.json ({@link #toJson}, {@link #fromJson}). Owns
 * the rules of its values: a bad one is an {@link InvalidFieldException} naming the field as the
 * command line names its option ({@code lr}, {@code weight_decay}).
 *
 * @param partitioning how the training text is cut into minibatches
 * @param optimizer update rule
 * @param learningRate base step size
 * @param schedule how the step size changes over the run
 * @param warmupSteps updates of linear warm-up before the schedule
 * @param weightDecay decoupled weight decay per update (AdamW's; 0 for none)
 * @param clip global gradient-norm threshold theta
 * @param averaging decay of an exponential moving average of the weights that is evaluated and
 *     saved (Polyak averaging); 0 for none
 * @param epochs total epochs (a resumed run trains up to this count)
 * @param maxMinutes stop after the epoch that passes this much training time; 0 for no limit
 * @param batchSize windows per batch
 * @param numSteps characters per window
 * @param seed seeds initialisation, minibatch order and dropout
 * @param checkpointEvery also score the held-out text and write a checkpoint every this many
 *     updates inside an epoch (a long run's curve, and where a stopped run resumes); 0: only at
 *     the end of each epoch
 */
public record TrainingSettings(Partitioning partitioning, OptimizerKind optimizer, float learningRate,
        LearningRateSchedule schedule, int warmupSteps, float weightDecay, float clip, float averaging, int epochs,
        double maxMinutes, int batchSize, int numSteps, long seed, int checkpointEvery) {

    public TrainingSettings {
        positive("epochs", epochs);
        positive("batch_size", batchSize);
        positive("num_steps", numSteps);
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new InvalidFieldException("lr", "must be positive, got " + learningRate);
        }
        if (!(clip > 0)) {
            throw new InvalidFieldException("clip", "must be positive, got " + clip);
        }
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            throw new InvalidFieldException("weight_decay", "must be in [0, 1), got " + weightDecay);
        }
        if (!(averaging >= 0 && averaging < 1)) {
            throw new InvalidFieldException("average", "must be in [0, 1), got " + averaging);
        }
        if (warmupSteps < 0) {
            throw new InvalidFieldException("warmup_steps", "must be >= 0, got " + warmupSteps);
        }
        if (!(maxMinutes >= 0)) {
            throw new InvalidFieldException("max_minutes", "must be >= 0, got " + maxMinutes);
        }
        if (checkpointEvery < 0) {
            throw new InvalidFieldException("checkpoint_every", "must be >= 0, got " + checkpointEvery);
        }
    }

    /** The chapter's settings with this rule and rate, nothing else changed. */
    public static TrainingSettings basic(Partitioning partitioning, OptimizerKind optimizer, float learningRate,
            float clip, int epochs, int batchSize, int numSteps, long seed) {
        return new TrainingSettings(partitioning, optimizer, learningRate, LearningRateSchedule.CONSTANT, 0, 0f,
                clip, 0f, epochs, 0, batchSize, numSteps, seed, 0);
    }

    /** The same settings with another epoch count. */
    public TrainingSettings withEpochs(int newEpochs) {
        return new TrainingSettings(partitioning, optimizer, learningRate, schedule, warmupSteps, weightDecay, clip,
                averaging, newEpochs, maxMinutes, batchSize, numSteps, seed, checkpointEvery);
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new InvalidFieldException(field, "must be positive, got " + value);
        }
    }

    public JsonObject toJson() {
        JsonObject s = new JsonObject();
        s.addProperty("partitioning", partitioning.id());
        s.addProperty("optimizer", optimizer.id());
        s.addProperty("lr", learningRate);
        s.addProperty("lr_schedule", schedule.id());
        s.addProperty("warmup_steps", warmupSteps);
        s.addProperty("weight_decay", weightDecay);
        s.addProperty("clip", clip);
        s.addProperty("averaging", averaging);
        s.addProperty("epochs", epochs);
        s.addProperty("max_minutes", maxMinutes);
        s.addProperty("batch_size", batchSize);
        s.addProperty("num_steps", numSteps);
        s.addProperty("seed", seed);
        s.addProperty("checkpoint_every", checkpointEvery);
        return s;
    }

    /**
     * Reads {@link #toJson()}; checkpoints written before a setting existed get the value that
     * means "not used" ("sampling" was the name of "partitioning").
     *
     * @throws IllegalArgumentException naming a missing or invalid setting
     */
    public static TrainingSettings fromJson(JsonObject s) {
        try {
            JsonElement partitioning = s.has("partitioning") ? s.get("partitioning") : s.get("sampling");
            return new TrainingSettings(
                    Partitioning.fromId(require(partitioning, "partitioning").getAsString()),
                    OptimizerKind.fromId(require(s.get("optimizer"), "optimizer").getAsString()),
                    require(s.get("lr"), "lr").getAsFloat(),
                    s.has("lr_schedule") ? LearningRateSchedule.fromId(s.get("lr_schedule").getAsString())
                            : LearningRateSchedule.CONSTANT,
                    s.has("warmup_steps") ? s.get("warmup_steps").getAsInt() : 0,
                    s.has("weight_decay") ? s.get("weight_decay").getAsFloat() : 0f,
                    require(s.get("clip"), "clip").getAsFloat(),
                    s.has("averaging") ? s.get("averaging").getAsFloat() : 0f,
                    require(s.get("epochs"), "epochs").getAsInt(),
                    s.has("max_minutes") ? s.get("max_minutes").getAsDouble() : 0,
                    require(s.get("batch_size"), "batch_size").getAsInt(),
                    require(s.get("num_steps"), "num_steps").getAsInt(),
                    require(s.get("seed"), "seed").getAsLong(),
                    s.has("checkpoint_every") ? s.get("checkpoint_every").getAsInt() : 0);
        } catch (ClassCastException | IllegalStateException | UnsupportedOperationException | NumberFormatException
                | InvalidFieldException e) {
            throw new IllegalArgumentException("invalid run settings (" + e.getMessage() + ")");
        }
    }

    private static JsonElement require(JsonElement e, String key) {
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("run settings lack " + key);
        }
        return e;
    }
}
