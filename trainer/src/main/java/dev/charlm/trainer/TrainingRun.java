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
import dev.charlm.trainer.data.Sampling;
import dev.charlm.trainer.data.SourceText;
import dev.charlm.trainer.model.CharRnnModel;
import dev.charlm.trainer.model.ParameterLayout;
import dev.charlm.trainer.train.EpochMetrics;
import dev.charlm.trainer.train.GreedySampler;
import dev.charlm.trainer.train.Optimizer;
import dev.charlm.trainer.train.OptimizerKind;
import dev.charlm.trainer.train.PerplexityPlot;
import dev.charlm.trainer.train.TrainingListener;
import dev.charlm.trainer.train.TrainingLoop;
import dev.charlm.trainer.train.TrainingSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs training end to end: load data, build or restore the model, train epoch by epoch with a
 * checkpoint written atomically after each, then the chapter's sample.
 */
public final class TrainingRun {

    static final Gson METRICS_GSON = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .serializeSpecialFloatingPointValues()
            .create();

    private final PrintStream log;
    private final TrainingListener listener;

    public TrainingRun(PrintStream log, TrainingListener listener) {
        this.log = log;
        this.listener = listener;
    }

    /** The device training uses: the first GPU when the engine sees one, else the CPU. */
    public static Device device() {
        return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /** Trains a new model. */
    public TrainingResult train(TrainingRequest request) throws InvalidTextException, CheckpointException {
        Checkpoint.checkWritable(request.out());
        Corpus corpus = Corpus.load(request.data(), request.preprocessing(), request.holdout(), null);
        ModelConfig config = new ModelConfig(request.cell(), request.implementation(), request.layers(),
                request.hidden(), request.dropout(), request.preprocessing(), corpus.vocabulary());
        return run(config, corpus, request.settings(), request.out(), null);
    }

    /**
     * Continues a checkpoint up to {@code epochs} epochs in total, with its own model, data and
     * settings, writing to {@code out}.
     */
    public TrainingResult resume(Path checkpoint, int epochs, Path out)
            throws InvalidTextException, CheckpointException {
        ModelConfig config = Checkpoint.readConfig(checkpoint);
        JsonObject metrics = Checkpoint.readMetrics(checkpoint);
        Map<String, Tensor> weights = Checkpoint.readWeights(checkpoint, config);
        Map<String, Tensor> optimizerState = Checkpoint.readTensors(checkpoint, Checkpoint.OPTIMIZER);
        Checkpoint.checkWritable(out);
        Corpus corpus = Checkpoint.readCorpus(checkpoint, metrics, config, "resume");
        JsonObject s = metrics.getAsJsonObject("settings");
        TrainingSettings settings = new TrainingSettings(
                Sampling.fromId(s.get("sampling").getAsString()),
                OptimizerKind.fromId(s.get("optimizer").getAsString()),
                s.get("lr").getAsFloat(), s.get("clip").getAsFloat(), epochs,
                s.get("batch_size").getAsInt(), s.get("num_steps").getAsInt(), s.get("seed").getAsLong());
        EpochMetrics[] done = METRICS_GSON.fromJson(metrics.get("epochs"), EpochMetrics[].class);
        Resumed resumed = new Resumed(weights, optimizerState,
                metrics.get("optimizer_steps").getAsLong(), List.of(done));
        if (done.length >= epochs) {
            throw new IllegalArgumentException(checkpoint + " has already trained " + done.length
                    + " epochs; pass --epochs greater than that to continue");
        }
        return run(config, corpus, settings, out, resumed);
    }

    /** State restored from a checkpoint. */
    private record Resumed(Map<String, Tensor> weights, Map<String, Tensor> optimizerState,
            long optimizerSteps, List<EpochMetrics> epochs) {}

    private TrainingResult run(ModelConfig config, Corpus corpus, TrainingSettings settings, Path out,
            Resumed resumed) throws CheckpointException {
        Device device = device();
        Engine engine = Engine.getInstance();
        log.printf("charlm train: %s %s, %d x %d, dropout %.2f, %s preprocessing, vocab %d%n",
                config.implementation().id(), config.cell().id(), config.layers(), config.hidden(),
                config.dropout(), config.preprocessing().id(), config.vocabulary().size());
        log.printf("charlm train: device %s (%s %s), %d training characters from %d file(s), holdout %.0f%%%n",
                device, engine.getEngineName(), engine.getVersion(), corpus.trainingTokens().length,
                corpus.sources().size(), corpus.holdout() * 100);
        // Seeds dropout; initialisation and sampling use their own seeded generators.
        engine.setRandomSeed((int) settings.seed());
        List<EpochMetrics> history = new ArrayList<>();
        try (CharRnnModel model = CharRnnModel.create(config.spec(), config.implementation(), device, settings.seed());
                Optimizer optimizer = new Optimizer(settings.optimizer(), settings.learningRate(), device)) {
            if (resumed != null) {
                Map<String, float[]> w = new LinkedHashMap<>();
                resumed.weights().forEach((k, t) -> w.put(k, t.values()));
                model.setWeights(w);
                optimizer.restore(resumed.optimizerSteps(), resumed.optimizerState());
                history.addAll(resumed.epochs());
                log.printf("charlm train: resuming after epoch %d (%d optimizer steps)%n",
                        history.size(), optimizer.steps());
            }
            TrainingLoop loop = new TrainingLoop(model, optimizer, corpus, settings);
            String sample = null;
            for (int epoch = history.size() + 1; epoch <= settings.epochs(); epoch++) {
                history.add(loop.runEpoch(epoch, listener));
                if (epoch == settings.epochs()) {
                    sample = GreedySampler.predict(model, config.vocabulary(), config.preprocessing(),
                            GreedySampler.CHAPTER_PREFIX, GreedySampler.CHAPTER_LENGTH);
                }
                writeCheckpoint(out, config, model, optimizer, corpus, settings, device, history, sample);
            }
            return new TrainingResult(out, List.copyOf(history), sample,
                    ParameterLayout.parameterCount(config.spec()), optimizer.steps());
        }
    }

    private static void writeCheckpoint(Path out, ModelConfig config, CharRnnModel model,
            Optimizer optimizer, Corpus corpus, TrainingSettings settings,
            Device device, List<EpochMetrics> history, String sample) throws CheckpointException {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Map<String, long[]> shapes = ParameterLayout.shapes(config.spec());
        model.weights().forEach((k, v) -> weights.put(k, new Tensor(shapes.get(k), v)));

        JsonObject metrics = new JsonObject();
        metrics.addProperty("device", device.toString());
        metrics.addProperty("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        metrics.addProperty("seed", settings.seed());
        JsonObject s = new JsonObject();
        s.addProperty("sampling", settings.sampling().id());
        s.addProperty("optimizer", settings.optimizer().id());
        s.addProperty("lr", settings.learningRate());
        s.addProperty("clip", settings.clip());
        s.addProperty("epochs", settings.epochs());
        s.addProperty("batch_size", settings.batchSize());
        s.addProperty("num_steps", settings.numSteps());
        s.addProperty("holdout", corpus.holdout());
        s.addProperty("seed", settings.seed());
        metrics.add("settings", s);
        JsonArray data = new JsonArray();
        for (SourceText src : corpus.sources()) {
            JsonObject d = new JsonObject();
            d.addProperty("path", src.path().toAbsolutePath().normalize().toString());
            d.addProperty("sha256", src.sha256());
            d.addProperty("training_chars", src.training().codePointCount(0, src.training().length()));
            d.addProperty("held_out_chars", src.heldOut().codePointCount(0, src.heldOut().length()));
            data.add(d);
        }
        metrics.add("data", data);
        metrics.addProperty("parameter_count", ParameterLayout.parameterCount(config.spec()));
        metrics.addProperty("optimizer_steps", optimizer.steps());
        metrics.add("epochs", METRICS_GSON.toJsonTree(history));
        EpochMetrics last = history.get(history.size() - 1);
        metrics.addProperty("validation_perplexity", last.validationPerplexity());
        if (sample != null) {
            JsonObject smp = new JsonObject();
            smp.addProperty("prefix", GreedySampler.CHAPTER_PREFIX);
            smp.addProperty("text", sample);
            metrics.add("sample", smp);
        }
        String title = String.format("%s %dx%d on %s", config.cell().id().toUpperCase(), config.layers(),
                config.hidden(), corpus.sources().size() == 1
                        ? corpus.sources().get(0).path().getFileName().toString()
                        : corpus.sources().size() + " files");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(Checkpoint.CONFIG, Checkpoint.json(config.toJson()));
        files.put(Checkpoint.WEIGHTS, TensorFile.toBytes(weights));
        files.put(Checkpoint.OPTIMIZER, TensorFile.toBytes(optimizer.state()));
        files.put(Checkpoint.METRICS, Checkpoint.json(metrics));
        files.put(Checkpoint.PLOT_PNG, PerplexityPlot.png(history, title));
        files.put(Checkpoint.PLOT_SVG, PerplexityPlot.svg(history, title));
        Checkpoint.writeDirectory(out, files, last.epoch());
    }
}
