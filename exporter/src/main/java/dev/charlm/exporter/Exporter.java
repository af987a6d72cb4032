package dev.charlm.exporter;

import ai.djl.Device;
import ai.onnxruntime.OrtException;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.ModelContract;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.InvalidModelException;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.PerplexityScorer;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.trainer.checkpoint.Checkpoint;
import dev.charlm.trainer.checkpoint.CheckpointException;
import dev.charlm.trainer.checkpoint.ModelConfig;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.SourceText;
import dev.charlm.contract.AtomicFiles;
import dev.charlm.trainer.model.CharRnnModel;
import dev.charlm.trainer.train.Evaluation;
import dev.charlm.trainer.train.HeldOutScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Checkpoint in, verified ONNX file out: export, prove parity with DJL, measure held-out
 * perplexity on the frozen model, write the file atomically. Nothing is written unless every
 * check passes.
 */
public final class Exporter {

    /**
     * What an export did.
     *
     * @param output the file written
     * @param bytes its size
     * @param parity the DJL vs ONNX Runtime comparison
     * @param heldOut held-out score of the frozen model (the sdk's scorer on ONNX Runtime)
     * @param djlHeldOut the same text scored by DJL on the checkpoint
     */
    public record Result(Path output, long bytes, ParityCheck.Report parity, Evaluation heldOut,
            Evaluation djlHeldOut) {}

    /** A check that the exported model failed; nothing was written. */
    public static final class ParityException extends Exception {
        private static final long serialVersionUID = 1L;

        ParityException(String message) {
            super(message);
        }
    }

    private final GateOrder gateOrder;

    public Exporter() {
        this(GateOrder.ONNX);
    }

    Exporter(GateOrder gateOrder) {
        this.gateOrder = gateOrder;
    }

    public Result export(Path checkpoint, Path output)
            throws CheckpointException, InvalidTextException, ParityException, IOException, OrtException {
        ModelConfig config = Checkpoint.readConfig(checkpoint);
        Map<String, Tensor> weights = Checkpoint.readWeights(checkpoint, config);
        JsonObject metrics = Checkpoint.readMetrics(checkpoint);
        checkOutput(checkpoint, output);
        Corpus corpus = Checkpoint.readCorpus(checkpoint, metrics, config, "measure held-out perplexity");

        byte[] probe = OnnxExporter.export(config, weights, Map.of(), gateOrder);
        ParityCheck.Report parity;
        Evaluation djlScore = null;
        try (CharRnnModel djl = Checkpoint.loadModel(checkpoint, config, Device.cpu())) {
            parity = ParityCheck.run(djl, probe, 17);
            if (parity.passed()) {
                djlScore = score(corpus, source -> HeldOutScorer.evaluate(djl, config.vocabulary().encode(source.heldOut())));
            }
        }
        if (!parity.passed()) {
            throw new ParityException(String.format(Locale.ROOT,
                    "parity check failed: ONNX Runtime and DJL differ by up to %.3g on logits and %.3g on"
                            + " states (tolerance %.0e); %s not written",
                    parity.maxLogitDiff(), parity.maxStateDiff(), ParityCheck.TOLERANCE, output));
        }
        Evaluation ortScore = scoreWithSdk(probe, corpus);

        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(ModelContract.KEY_TRAINING_DATA, trainingData(corpus));
        metadata.put(ModelContract.KEY_HELDOUT_PERPLEXITY, String.format(Locale.ROOT, "%.6f", ortScore.perplexity()));
        metadata.put(ModelContract.KEY_HELDOUT_CHARACTERS, Long.toString(ortScore.count() + corpus.sources().size()));
        byte[] model = OnnxExporter.export(config, weights, metadata, gateOrder);
        try {
            AtomicFiles.write(output, model);
        } catch (IOException e) {
            throw new IOException(output + ": cannot write the model (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        return new Result(output, model.length, parity, ortScore, djlScore);
    }

    /**
     * The held-out tails scored by the sdk on the frozen model, as an app would score them. The
     * tails are already preprocessed, and preprocessing leaves its own output unchanged.
     */
    private static Evaluation scoreWithSdk(byte[] onnx, Corpus corpus) throws IOException, OrtException {
        try (CharModel model = CharModel.load(onnx, "exported model", ModelOptions.builder()
                .intraOpThreads(Runtime.getRuntime().availableProcessors()).prefixCacheEntries(0).build())) {
            PerplexityScorer scorer = model.newScorer();
            return score(corpus, source -> {
                ScoreReport r = scorer.score(source.path().getFileName().toString(), source.heldOut());
                return new Evaluation(r.totalNll(), r.predictions());
            });
        } catch (InvalidModelException e) {
            throw new IllegalStateException("the exporter wrote a model the sdk refuses: " + e.getMessage(), e);
        }
    }

    private interface Scorer {
        Evaluation score(SourceText source) throws OrtException;
    }

    /** Every file's held-out tail scored on its own from a zero state, summed. */
    private static Evaluation score(Corpus corpus, Scorer scorer) throws OrtException {
        Evaluation total = null;
        for (SourceText s : corpus.sources()) {
            Evaluation e = scorer.score(s);
            total = total == null ? e : total.plus(e);
        }
        return total;
    }

    private static String trainingData(Corpus corpus) {
        JsonArray data = new JsonArray();
        for (SourceText s : corpus.sources()) {
            JsonObject o = new JsonObject();
            o.addProperty("file", s.path().getFileName().toString());
            o.addProperty("sha256", s.sha256());
            data.add(o);
        }
        return data.toString();
    }

    /**
     * Refuses, before any work, an output that would destroy something: a path inside the
     * checkpoint being exported (its weights, its config), or anything but a regular file or a
     * new path (a directory, a device, a pipe, a link).
     */
    static void checkOutput(Path checkpoint, Path output) throws CheckpointException {
        try {
            Path ckpt = checkpoint.toRealPath();
            Path out = output.toAbsolutePath().normalize();
            Path resolved = Files.exists(out) ? out.toRealPath()
                    : out.getParent() != null && Files.isDirectory(out.getParent())
                            ? out.getParent().toRealPath().resolve(out.getFileName()) : out;
            if (resolved.startsWith(ckpt)) {
                throw new CheckpointException(output + ": is inside the checkpoint " + checkpoint
                        + " being exported; write the model elsewhere");
            }
            AtomicFiles.checkTarget(output);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(output + ": " + e.getMessage());
        }
    }
}
