package dev.charlm.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.trainer.checkpoint.Checkpoint;
import dev.charlm.trainer.checkpoint.CheckpointException;
import dev.charlm.trainer.checkpoint.ModelConfig;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.trainer.checkpoint.TensorFile;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.CorpusSettings;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.SourceText;
import dev.charlm.trainer.data.TooLittleDataException;
import dev.charlm.trainer.model.CharRnnModel;
import dev.charlm.trainer.model.ParameterLayout;
import dev.charlm.trainer.train.EpochMetrics;
import dev.charlm.trainer.train.Evaluation;
import dev.charlm.trainer.train.HeldOutPoint;
import dev.charlm.trainer.train.TrainingLoop.EpochProgress;
import dev.charlm.trainer.train.GreedyPrediction;
import dev.charlm.trainer.train.ParameterUpdater;
import dev.charlm.trainer.train.PerplexityPlot;
import dev.charlm.trainer.train.ProgressListener;
import dev.charlm.trainer.train.TrainingLoop;
import dev.charlm.trainer.train.TrainingSettings;
import dev.charlm.trainer.train.WeightAverage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs training end to end: load data, build or restore the model, train epoch by epoch with a
 * checkpoint written after each, then the chapter's sample.
 */
public final class TrainingRun {

    static final Gson METRICS_GSON = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeSpecialFloatingPointValues()
            .create();
    /** Prefix of the training weights in optimizer.bin when weights.bin holds their average. */
    static final String TRAINING_WEIGHTS = "raw.";

    private final PrintStream log;
    private final ProgressListener listener;

    public TrainingRun(PrintStream log, ProgressListener listener) {
        this.log = log;
        this.listener = listener;
    }

    /** The device training uses: the first GPU when the engine sees one, else the CPU. */
    public static Device device() {
        return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /** Trains a new model. */
    public TrainingOutcome train(TrainingRequest request) throws InvalidTextException, CheckpointException {
        Checkpoint.checkWritable(request.out());
        Corpus corpus = Corpus.load(request.data(), request.preprocessing(), request.holdout(), null);
        ModelConfig config = new ModelConfig(request.cell(), request.implementation(), request.layers(),
                request.hidden(), request.dropout(), request.preprocessing(), corpus.vocabulary());
        return run(config, corpus, request.settings(), request.out(), null);
    }

    /**
     * The outcome of the finished run in {@code request.out()} when it trained exactly what the
     * request asks (model, data with the same SHA-256, corpus and run settings), else empty. Lets
     * an hour-long study that was stopped go on from the runs it had finished.
     */
    public static Optional<TrainingOutcome> finished(TrainingRequest request) {
        Path dir = request.out();
        try {
            if (!Files.isDirectory(dir)) {
                return Optional.empty();
            }
            ModelConfig config = Checkpoint.readConfig(dir);
            JsonObject metrics = Checkpoint.readMetrics(dir);
            if (!metrics.has("sample") || config.cell() != request.cell()
                    || config.implementation() != request.implementation() || config.layers() != request.layers()
                    || config.hidden() != request.hidden() || config.dropout() != request.dropout()
                    || config.preprocessing() != request.preprocessing()
                    || !Checkpoint.readSettings(dir, metrics).equals(request.settings())) {
                return Optional.empty();
            }
            Corpus corpus = Checkpoint.readCorpus(dir, metrics, config, "reuse the run");
            if (!corpus.spec().equals(absolute(request.data())) || corpus.holdout() != request.holdout()) {
                return Optional.empty();
            }
            EpochMetrics[] epochs = METRICS_GSON.fromJson(metrics.get("epochs"), EpochMetrics[].class);
            return Optional.of(new TrainingOutcome(dir, List.of(epochs),
                    metrics.getAsJsonObject("sample").get("text").getAsString(),
                    metrics.get("parameter_count").getAsLong(), metrics.get("optimizer_steps").getAsLong()));
        } catch (CheckpointException | InvalidTextException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static CorpusSpec absolute(CorpusSpec spec) {
        return new CorpusSpec(spec.training().stream().map(p -> p.toAbsolutePath().normalize()).toList(),
                spec.evaluationOnly().stream().map(p -> p.toAbsolutePath().normalize()).toList(),
                spec.stripFrontMatter(), spec.trainingCharacters());
    }

    /**
     * Continues a checkpoint up to {@code epochs} epochs in total, with its own model, data and
     * settings, writing to {@code out}.
     */
    public TrainingOutcome resume(Path checkpoint, int epochs, Path out)
            throws InvalidTextException, CheckpointException {
        ModelConfig config = Checkpoint.readConfig(checkpoint);
        JsonObject metrics = Checkpoint.readMetrics(checkpoint);
        Map<String, Tensor> weights = Checkpoint.readWeights(checkpoint, config);
        Map<String, Tensor> updaterState = Checkpoint.readTensors(checkpoint, Checkpoint.OPTIMIZER);
        Checkpoint.checkWritable(out);
        Corpus corpus = Checkpoint.readCorpus(checkpoint, metrics, config, "resume");
        TrainingSettings settings = Checkpoint.readSettings(checkpoint, metrics).withEpochs(epochs);
        EpochMetrics[] done = METRICS_GSON.fromJson(metrics.get("epochs"), EpochMetrics[].class);
        if (done.length >= epochs) {
            throw new CheckpointException(checkpoint + " has already trained " + done.length
                    + " epochs; ask for more epochs than that to continue");
        }
        List<HeldOutPoint> curve = metrics.has("curve")
                ? List.of(METRICS_GSON.fromJson(metrics.get("curve"), HeldOutPoint[].class))
                : List.of();
        EpochProgress position = metrics.has("position")
                ? readPosition(checkpoint, metrics.getAsJsonObject("position"), updaterState)
                : null;
        Resumed resumed = new Resumed(weights, updaterState,
                metrics.get("optimizer_steps").getAsLong(), List.of(done), curve, position);
        return run(config, corpus, settings, out, resumed);
    }

    /**
     * State restored from a checkpoint.
     *
     * @param position where a mid-epoch checkpoint left its epoch, or null after a whole epoch
     */
    private record Resumed(Map<String, Tensor> weights, Map<String, Tensor> updaterState,
            long optimizerSteps, List<EpochMetrics> epochs, List<HeldOutPoint> curve, EpochProgress position) {}

    /** Prefix of the carried recurrent state in optimizer.bin after a mid-epoch checkpoint. */
    static final String CARRIED_STATE = "carry.";

    private static EpochProgress readPosition(Path dir, JsonObject p, Map<String, Tensor> updaterState)
            throws CheckpointException {
        try {
            JsonArray phases = p.getAsJsonArray("phase_nanos");
            long[] phaseNanos = new long[phases.size()];
            for (int i = 0; i < phaseNanos.length; i++) {
                phaseNanos[i] = phases.get(i).getAsLong();
            }
            List<Tensor> carried = new ArrayList<>();
            for (int i = 0; updaterState.containsKey(CARRIED_STATE + i); i++) {
                carried.add(updaterState.get(CARRIED_STATE + i));
            }
            return new EpochProgress(p.get("epoch").getAsInt(), p.get("next_batch").getAsInt(),
                    p.get("loss_sum").getAsDouble(), p.get("token_count").getAsLong(), phaseNanos,
                    p.get("wall_seconds").getAsDouble(), List.copyOf(carried));
        } catch (RuntimeException e) {
            throw new CheckpointException(dir.resolve(Checkpoint.METRICS) + ": invalid mid-epoch position ("
                    + e.getMessage() + ")");
        }
    }

    private TrainingOutcome run(ModelConfig config, Corpus corpus, TrainingSettings settings, Path out,
            Resumed resumed) throws CheckpointException, InvalidTextException {
        int characters = corpus.trainingTokens().length;
        if (settings.partitioning().batchesPerEpoch(characters, settings.batchSize(), settings.numSteps()) < 1) {
            throw new TooLittleDataException("training data", characters, settings.batchSize(), settings.numSteps());
        }
        Device device = device();
        Engine engine = Engine.getInstance();
        log.printf("charlm train: %s %s, %d x %d, dropout %.2f, %s preprocessing, vocab %d%n",
                config.implementation().id(), config.cell().id(), config.layers(), config.hidden(),
                config.dropout(), config.preprocessing().id(), config.vocabulary().size());
        long evaluated = corpus.sources().stream().filter(s -> !s.trained()).count();
        log.printf("charlm train: device %s (%s %s), %d training characters from %d file(s)%s, holdout %.0f%%%n",
                device, engine.getEngineName(), engine.getVersion(), characters,
                corpus.sources().size() - evaluated, evaluated > 0 ? " (+" + evaluated + " evaluated only)" : "",
                corpus.holdout() * 100);
        // Seeds dropout; initialisation and minibatch order use their own seeded generators.
        engine.setRandomSeed((int) settings.seed());
        List<EpochMetrics> history = new ArrayList<>();
        List<HeldOutPoint> curve = new ArrayList<>();
        long started = System.nanoTime();
        try (CharRnnModel model = CharRnnModel.create(config.spec(), config.implementation(), device, settings.seed());
                ParameterUpdater updater = new ParameterUpdater(settings.optimizer(), settings.weightDecay(), device);
                WeightAverage average = settings.averaging() > 0 ? new WeightAverage(settings.averaging(), device) : null) {
            EpochProgress position = null;
            if (resumed != null) {
                restore(model, updater, average, resumed);
                history.addAll(resumed.epochs());
                curve.addAll(resumed.curve());
                position = resumed.position();
                log.printf("charlm train: resuming after epoch %d%s (%d optimizer steps)%n", history.size(),
                        position == null ? "" : " and " + position.nextBatch() + " batches of the next",
                        updater.steps());
            }
            TrainingLoop loop = new TrainingLoop(model, updater, average, corpus, settings);
            int batches = settings.partitioning().batchesPerEpoch(characters, settings.batchSize(),
                    settings.numSteps());
            long tokensPerBatch = (long) settings.batchSize() * settings.numSteps();
            if (curve.isEmpty()) {
                // A checkpoint from before the curve was recorded: its epochs' ends are the curve.
                double seconds = 0;
                for (EpochMetrics e : history) {
                    seconds += e.timing().totalMillis() / 1000;
                    curve.add(new HeldOutPoint(e.epoch(), batches, batches, (long) e.epoch() * batches,
                            tokensPerBatch * e.epoch() * batches, seconds, e.validationPerplexity(),
                            e.validationPerplexityByFile()));
                }
            }
            TrainingLoop.MidEpoch midEpoch = (progress, heldOut) -> {
                HeldOutPoint point = point(corpus, progress.epoch(), progress.nextBatch(), batches, updater.steps(),
                        tokensPerBatch * ((long) (progress.epoch() - 1) * batches + progress.nextBatch()),
                        stepSeconds(history) + progress.stepSeconds(), heldOut);
                curve.add(point);
                writeCheckpoint(out, config, model, updater, average, corpus, settings, device, history, curve,
                        progress, null);
                listener.onHeldOut(point);
            };
            String sample = null;
            for (int epoch = history.size() + 1; epoch <= settings.epochs(); epoch++) {
                EpochProgress from = position != null && position.epoch() == epoch ? position : null;
                EpochMetrics done = loop.runEpoch(epoch, from, midEpoch, listener);
                history.add(done);
                curve.add(new HeldOutPoint(epoch, batches, batches, updater.steps(), tokensPerBatch * epoch * batches,
                        stepSeconds(history), done.validationPerplexity(), done.validationPerplexityByFile()));
                boolean outOfTime = settings.maxMinutes() > 0
                        && (System.nanoTime() - started) / 60e9 >= settings.maxMinutes();
                if (epoch == settings.epochs() || outOfTime) {
                    sample = withEvaluatedWeights(model, average, () -> GreedyPrediction.predict(model,
                            config.vocabulary(), config.preprocessing(), GreedyPrediction.CHAPTER_PREFIX,
                            GreedyPrediction.CHAPTER_LENGTH));
                }
                writeCheckpoint(out, config, model, updater, average, corpus, settings, device, history, curve,
                        null, sample);
                if (outOfTime && epoch < settings.epochs()) {
                    log.printf("charlm train: stopping after epoch %d: the %.1f-minute limit is reached%n", epoch,
                            settings.maxMinutes());
                    break;
                }
            }
            return new TrainingOutcome(out, List.copyOf(history), sample,
                    ParameterLayout.parameterCount(config.spec()), updater.steps());
        }
    }

    /** Step time of the finished epochs, in seconds. */
    private static double stepSeconds(List<EpochMetrics> history) {
        return history.stream().mapToDouble(e -> e.timing().totalMillis() / 1000).sum();
    }

    private static HeldOutPoint point(Corpus corpus, int epoch, int batch, int batches, long steps, long tokens,
            double seconds, List<Evaluation> heldOut) {
        Evaluation all = null;
        Map<String, Double> byFile = new LinkedHashMap<>();
        for (int i = 0; i < heldOut.size(); i++) {
            byFile.put(corpus.sources().get(i).path().getFileName().toString(), heldOut.get(i).perplexity());
            all = all == null ? heldOut.get(i) : all.plus(heldOut.get(i));
        }
        return new HeldOutPoint(epoch, batch, batches, steps, tokens, seconds, all.perplexity(), byFile);
    }

    private static void restore(CharRnnModel model, ParameterUpdater updater, WeightAverage average, Resumed resumed) {
        Map<String, float[]> saved = new LinkedHashMap<>();
        resumed.weights().forEach((k, t) -> saved.put(k, t.values()));
        Map<String, float[]> training = new LinkedHashMap<>();
        resumed.updaterState().forEach((k, t) -> {
            if (k.startsWith(TRAINING_WEIGHTS)) {
                training.put(k.substring(TRAINING_WEIGHTS.length()), t.values());
            }
        });
        if (average != null && !training.isEmpty()) {
            // weights.bin holds the average; the weights training continues from are beside the moments.
            model.setWeights(training);
            average.restore(resumed.optimizerSteps(), resumed.weights());
        } else {
            model.setWeights(saved);
        }
        updater.restore(resumed.optimizerSteps(), resumed.updaterState());
    }

    /** Runs {@code work} with the weights that are evaluated and saved: the average, if any. */
    private static <T> T withEvaluatedWeights(CharRnnModel model, WeightAverage average, Supplier<T> work) {
        return average == null ? work.get() : average.evaluate(model, work);
    }

    private static void writeCheckpoint(Path out, ModelConfig config, CharRnnModel model,
            ParameterUpdater updater, WeightAverage average, Corpus corpus, TrainingSettings settings,
            Device device, List<EpochMetrics> history, List<HeldOutPoint> curve, EpochProgress position,
            String sample) throws CheckpointException {
        Map<String, long[]> shapes = ParameterLayout.shapes(config.spec());
        Map<String, float[]> trainingWeights = model.weights();
        Map<String, float[]> evaluated = average == null || average.isEmpty() ? trainingWeights : average.weights();
        Map<String, Tensor> weights = new LinkedHashMap<>();
        evaluated.forEach((k, v) -> weights.put(k, new Tensor(shapes.get(k), v)));
        Map<String, Tensor> updaterState = new LinkedHashMap<>(updater.state());
        if (evaluated != trainingWeights) {
            trainingWeights.forEach((k, v) -> updaterState.put(TRAINING_WEIGHTS + k, new Tensor(shapes.get(k), v)));
        }
        if (position != null) {
            for (int i = 0; i < position.carriedState().size(); i++) {
                updaterState.put(CARRIED_STATE + i, position.carriedState().get(i));
            }
        }

        JsonObject metrics = new JsonObject();
        metrics.addProperty("device", device.toString());
        metrics.addProperty("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        metrics.addProperty("seed", settings.seed());
        JsonObject s = settings.toJson();
        CorpusSettings.of(corpus).writeTo(s);
        metrics.add("settings", s);
        JsonArray data = new JsonArray();
        for (SourceText src : corpus.sources()) {
            JsonObject d = new JsonObject();
            d.addProperty("path", src.path().toAbsolutePath().normalize().toString());
            d.addProperty("sha256", src.sha256());
            d.addProperty("trained", src.trained());
            d.addProperty("training_chars", src.training().codePointCount(0, src.training().length()));
            d.addProperty("held_out_chars", src.heldOut().codePointCount(0, src.heldOut().length()));
            data.add(d);
        }
        metrics.add("data", data);
        metrics.addProperty("parameter_count", ParameterLayout.parameterCount(config.spec()));
        metrics.addProperty("optimizer_steps", updater.steps());
        metrics.add("epochs", METRICS_GSON.toJsonTree(history));
        metrics.add("curve", METRICS_GSON.toJsonTree(curve));
        if (position != null) {
            JsonObject p = new JsonObject();
            p.addProperty("epoch", position.epoch());
            p.addProperty("next_batch", position.nextBatch());
            p.addProperty("loss_sum", position.lossSum());
            p.addProperty("token_count", position.tokenCount());
            JsonArray phases = new JsonArray();
            for (long n : position.phaseNanos()) {
                phases.add(n);
            }
            p.add("phase_nanos", phases);
            p.addProperty("wall_seconds", position.wallSeconds());
            metrics.add("position", p);
        }
        metrics.addProperty("validation_perplexity", curve.get(curve.size() - 1).validationPerplexity());
        if (sample != null) {
            JsonObject smp = new JsonObject();
            smp.addProperty("prefix", GreedyPrediction.CHAPTER_PREFIX);
            smp.addProperty("text", sample);
            metrics.add("sample", smp);
        }
        long trainedFiles = corpus.sources().stream().filter(SourceText::trained).count();
        String title = String.format("%s %dx%d on %s", config.cell().id().toUpperCase(), config.layers(),
                config.hidden(), trainedFiles == 1
                        ? corpus.sources().get(0).path().getFileName().toString()
                        : trainedFiles + " files");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(Checkpoint.CONFIG, Checkpoint.json(config.toJson()));
        files.put(Checkpoint.WEIGHTS, TensorFile.toBytes(weights));
        files.put(Checkpoint.OPTIMIZER, TensorFile.toBytes(updaterState));
        files.put(Checkpoint.METRICS, Checkpoint.json(metrics));
        files.put(Checkpoint.PLOT_PNG, PerplexityPlot.png(history, curve, title));
        files.put(Checkpoint.PLOT_SVG, PerplexityPlot.svg(history, curve, title));
        Checkpoint.writeDirectory(out, files, history.size());
    }
}
