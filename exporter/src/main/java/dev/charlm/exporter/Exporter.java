package dev.charlm.exporter;

import ai.djl.Device;
import com.google.gson.JsonObject;
import dev.charlm.contract.AtomicFiles;
import dev.charlm.contract.Cell;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.Precision;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.InvalidModelException;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.PerplexityScorer;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.sdk.TextSource;
import dev.charlm.trainer.checkpoint.Checkpoint;
import dev.charlm.trainer.checkpoint.CheckpointException;
import dev.charlm.trainer.checkpoint.ModelConfig;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.SourceText;
import dev.charlm.trainer.model.CharRnnModel;
import dev.charlm.trainer.train.Evaluation;
import dev.charlm.trainer.train.HeldOutScorer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

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
     * @param int8 for an int8 export, how it compared with the fp32 model on the held-out text
     */
    public record Result(Path output, long bytes, ParityCheck.Report parity, Evaluation heldOut,
            Evaluation djlHeldOut, Optional<Quantizer.Check> int8) {}

    /** A check that the exported model failed; nothing was written. */
    public static final class ParityException extends Exception {
        private static final long serialVersionUID = 1L;

        ParityException(String message) {
            super(message);
        }
    }

    /**
     * Held-out perplexity of the two engines over whole texts, each carrying its own state: the
     * long-run check on real text that the step-by-step parity cannot give.
     */
    static final double HELD_OUT_TOLERANCE = 1e-4;

    private final GateOrder gateOrder;

    public Exporter() {
        this(GateOrder.ONNX);
    }

    Exporter(GateOrder gateOrder) {
        this.gateOrder = gateOrder;
    }

    public Result export(Path checkpoint, Path output)
            throws CheckpointException, InvalidTextException, ParityException, IOException {
        return export(checkpoint, output, Precision.FP32);
    }

    /**
     * Exports in {@code precision}. An int8 export first passes every check of an fp32 one, then
     * its own ({@link Quantizer#check}) on the held-out text; nothing is written unless all pass.
     */
    public Result export(Path checkpoint, Path output, Precision precision)
            throws CheckpointException, InvalidTextException, ParityException, IOException {
        ModelConfig config = Checkpoint.readConfig(checkpoint);
        Map<String, Tensor> weights = Checkpoint.readWeights(checkpoint, config);
        JsonObject metrics = Checkpoint.readMetrics(checkpoint);
        checkOutput(checkpoint, output);
        checkFinite(checkpoint, weights, output);
        Corpus corpus = Checkpoint.readCorpus(checkpoint, metrics, config, "measure held-out perplexity");

        ModelMetadata metadata = OnnxExporter.modelMetadata(config);
        byte[] probe = OnnxExporter.export(config, weights, metadata, gateOrder);
        ParityCheck.Report parity;
        Evaluation djlScore = null;
        try (CharRnnModel djl = Checkpoint.loadModel(checkpoint, config, Device.cpu());
                CharModel ort = load(probe, ModelOptions.builder().prefixCacheEntries(0).build())) {
            parity = ParityCheck.run(djl, ort, 17);
            if (parity.passed()) {
                djlScore = sum(HeldOutScorer.evaluateAll(djl, corpus.heldOutTokens()));
            }
        }
        if (!parity.passed()) {
            throw new ParityException(String.format(Locale.ROOT,
                    "parity check failed: ONNX Runtime and DJL differ by up to %.3g on logits and %.3g on"
                            + " states (tolerance %.0e); %s not written",
                    parity.maxLogitDiff(), parity.maxStateDiff(), ParityCheck.TOLERANCE, output));
        }
        Evaluation ortScore = scoreWithSdk(probe, corpus);
        if (!(relativeDifference(ortScore, djlScore) <= HELD_OUT_TOLERANCE)) {
            throw new ParityException(String.format(Locale.ROOT,
                    "parity check failed: held-out perplexity %.6f on ONNX Runtime against %.6f on DJL (relative"
                            + " tolerance %.0e); %s not written",
                    ortScore.perplexity(), djlScore.perplexity(), HELD_OUT_TOLERANCE, output));
        }

        List<ModelMetadata.TrainingFile> files = new ArrayList<>();
        for (SourceText s : corpus.sources()) {
            files.add(new ModelMetadata.TrainingFile(s.path().getFileName().toString(), s.sha256()));
        }
        long heldOutCharacters = ortScore.count() + corpus.sources().size();
        byte[] model = OnnxExporter.export(config, weights, metadata.withTrainingRecord(files, ortScore.perplexity(),
                heldOutCharacters), gateOrder);
        Optional<Quantizer.Check> int8 = Optional.empty();
        Evaluation written = ortScore;
        if (precision == Precision.INT8) {
            if (config.cell() != Cell.LSTM) {
                throw new CheckpointException(checkpoint + ": a " + config.cell().id() + " model has no int8 kernel in"
                        + " ONNX Runtime (DynamicQuantizeLSTM is LSTM's); export it as fp32");
            }
            String origin = "sha256:" + sha256(Checkpoint.committedFile(checkpoint, Checkpoint.WEIGHTS)) + " of " + checkpoint.getFileName()
                    + "/" + Checkpoint.WEIGHTS;
            ModelMetadata int8Metadata = metadata.withPrecision(Precision.INT8, origin);
            byte[] candidate = OnnxExporter.export(config, weights, int8Metadata, gateOrder);
            List<TextSource> tails = new ArrayList<>();
            for (SourceText s : corpus.sources()) {
                tails.add(TextSource.of(s.path().getFileName().toString(), s.heldOut().getBytes(StandardCharsets.UTF_8)));
            }
            Quantizer.Check check;
            try {
                check = Quantizer.check(model, candidate, tails, ScoringOptions.builder().mode(ScoringMode.EXACT).build());
            } catch (Quantizer.QuantizationException e) {
                throw new ParityException(e.getMessage() + "; " + output + " not written");
            } catch (InvalidModelException e) {
                throw new IllegalStateException("the exporter wrote an int8 model the sdk refuses: " + e.getMessage(), e);
            }
            int8 = Optional.of(check);
            written = new Evaluation(Math.log(check.int8Perplexity()) * ortScore.count(), ortScore.count());
            model = OnnxExporter.export(config, weights, int8Metadata.withTrainingRecord(files, check.int8Perplexity(),
                    heldOutCharacters), gateOrder);
        }
        try {
            AtomicFiles.write(output, model);
        } catch (IOException e) {
            throw new IOException(output + ": cannot write the model (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        return new Result(output, model.length, parity, written, djlScore, int8);
    }

    static String sha256(Path file) throws IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0;) {
                md.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** |a - b| / b of two perplexities; NaN or infinite when either is not finite (the check fails on both). */
    static double relativeDifference(Evaluation a, Evaluation b) {
        return Math.abs(a.perplexity() - b.perplexity()) / b.perplexity();
    }

    /** A checkpoint whose weights hold NaN or infinity (a diverged run) is named as such. */
    private static void checkFinite(Path checkpoint, Map<String, Tensor> weights, Path output) throws ParityException {
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            for (float v : e.getValue().values()) {
                if (!Float.isFinite(v)) {
                    throw new ParityException(checkpoint + ": parameter " + e.getKey() + " holds " + v
                            + " (training diverged; lower the learning rate); " + output + " not written");
                }
            }
        }
    }

    private static CharModel load(byte[] onnx, ModelOptions options) {
        try {
            return CharModel.load(onnx, "exported model", options);
        } catch (InvalidModelException e) {
            throw new IllegalStateException("the exporter wrote a model the sdk refuses: " + e.getMessage(), e);
        }
    }

    /**
     * The held-out tails scored by the sdk on the frozen model, as an app would score them, in
     * exact mode (the trainer's definition). The tails are already preprocessed, and
     * preprocessing leaves its own output unchanged.
     */
    private static Evaluation scoreWithSdk(byte[] onnx, Corpus corpus) {
        try (CharModel model = load(onnx, ModelOptions.forScoring())) {
            PerplexityScorer scorer = model.newScorer(ScoringOptions.builder().mode(ScoringMode.EXACT).build());
            List<Evaluation> scores = new ArrayList<>();
            for (SourceText s : corpus.sources()) {
                ScoreReport r = scorer.score(s.path().getFileName().toString(), s.heldOut());
                scores.add(new Evaluation(r.totalNll(), r.predictions()));
            }
            return sum(scores);
        }
    }

    /** Every file's held-out tail scored on its own from a zero state, summed. */
    private static Evaluation sum(List<Evaluation> scores) {
        Evaluation total = null;
        for (Evaluation e : scores) {
            total = total == null ? e : total.plus(e);
        }
        return total;
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
