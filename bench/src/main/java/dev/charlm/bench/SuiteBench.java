package dev.charlm.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import dev.charlm.exporter.OnnxExporter;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.charlm.sdk.GenerationSession;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.trainer.checkpoint.ModelConfig;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.CharRnnModel;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.model.ModelSpec;
import dev.charlm.trainer.model.ParameterLayout;
import dev.charlm.trainer.train.HeldOutScorer;
import dev.charlm.trainer.train.ParameterUpdater;
import dev.charlm.trainer.train.OptimizerKind;
import dev.charlm.trainer.train.TrainingLoop;
import dev.charlm.trainer.train.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side suite ({@code ./charlm bench suite}): training throughput of 2x256 models at
 * batch 32x35 (builtin LSTM, GRU, RNN, scratch LSTM); batch-1 streaming with the same LSTM
 * weights in the sdk (ONNX Runtime), DJL (PyTorch) and plain Java; scoring The Time Machine with
 * the sdk and DJL. Medians of {@code runs} runs, measured in one process one after another.
 */
public final class SuiteBench {

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path book = Path.of(System.getProperty("charlm.shared.data", "../shared/data"), "timemachine.txt");
        System.out.printf(Locale.ROOT, "charlm bench suite: %d cores, median of %d runs%n%n",
                Runtime.getRuntime().availableProcessors(), runs);
        training(book, runs);
        inference(book, runs);
    }

    static void training(Path book, int runs) throws Exception {
        // A 40,000-character slice: about 30 batches of 32 x 35 per epoch.
        Path slice = Files.createTempFile("charlm-bench", ".txt");
        Files.writeString(slice, Files.readString(book).substring(0, 40_000));
        Corpus corpus = Corpus.load(List.of(slice), Preprocessing.D2L, 0.05, null);
        System.out.println("training, 2x256, batch 32x35, SGD, tokens/s (epochs of ~30 batches)");
        double lstm = 0;
        Object[][] configs = {{Cell.LSTM, Implementation.BUILTIN}, {Cell.GRU, Implementation.BUILTIN},
                {Cell.RNN, Implementation.BUILTIN}, {Cell.LSTM, Implementation.SCRATCH}};
        for (Object[] cfg : configs) {
            Cell cell = (Cell) cfg[0];
            Implementation impl = (Implementation) cfg[1];
            double[] tps = new double[runs];
            ModelSpec spec = new ModelSpec(cell, 2, 256, corpus.vocabulary().size(), 0f);
            try (CharRnnModel model = CharRnnModel.create(spec, impl, Device.cpu(), 1);
                    ParameterUpdater opt = new ParameterUpdater(OptimizerKind.SGD, 0f, Device.cpu())) {
                TrainingLoop loop = new TrainingLoop(model, opt, null, corpus,
                        TrainingSettings.basic(Partitioning.SEQUENTIAL, OptimizerKind.SGD, 1f, 1f, runs + 1, 32, 35, 1));
                loop.runEpoch(1, null, null, null); // warm-up
                for (int r = 0; r < runs; r++) {
                    tps[r] = loop.runEpoch(r + 2, null, null, null).tokensPerSecond();
                }
            }
            double m = median(tps);
            if (lstm == 0) {
                lstm = m;
            }
            System.out.printf(Locale.ROOT, "  %-14s %10.0f   %5.2fx of builtin lstm%n", cell.id() + " " + impl.id(), m, m / lstm);
        }
        Files.delete(slice);
        System.out.println();
    }

    static void inference(Path book, int runs) throws Exception {
        Vocabulary vocab = Vocabulary.build(Preprocessing.D2L.apply(Files.readString(book)), Preprocessing.D2L);
        ModelSpec spec = new ModelSpec(Cell.LSTM, 2, 256, vocab.size(), 0f);
        ModelConfig config = new ModelConfig(Cell.LSTM, Implementation.BUILTIN, 2, 256, 0f, Preprocessing.D2L, vocab);
        int steps = 2000;
        try (CharRnnModel djl = CharRnnModel.create(spec, Implementation.BUILTIN, Device.cpu(), 7)) {
            Map<String, float[]> weights = djl.weights();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            ParameterLayout.shapes(spec).forEach((k, s) -> tensors.put(k, new Tensor(s, weights.get(k))));
            byte[] onnx = OnnxExporter.export(config, tensors, OnnxExporter.modelMetadata(config));
            System.out.printf("batch-1 streaming, 2x256 LSTM, same weights, %d characters per run%n", steps);
            System.out.printf("  %-22s %10s %10s %10s %8s%n", "", "chars/s", "p50 us", "p99 us", "ratio");
            double sdkRate;
            try (CharModel sdk = CharModel.load(onnx, "bench", ModelOptions.defaults())) {
                sdkRate = report("sdk (ONNX Runtime)", runs, steps, 0, () -> {
                    GenerationSession s = sdk.newSession();
                    s.feed("the time traveller");
                    var it = s.iterator(GenerationOptions.greedy(Integer.MAX_VALUE));
                    return () -> it.next();
                });
                report("DJL (PyTorch)", runs, steps, sdkRate, () -> {
                    long[] token = {3};
                    NDList[] state = {null};
                    return () -> {
                        try (NDManager scope = djl.newScope()) {
                            NDList in = state[0] == null ? djl.zeroState(scope, 1) : state[0];
                            NDList out = djl.forward(scope.create(token, new Shape(1, 1)), in, false);
                            token[0] = out.get(0).argMax().getLong();
                            if (state[0] != null) {
                                state[0].close();
                            }
                            NDManager keep = scope.getParentManager();
                            NDList next = out.subNDList(1);
                            for (NDArray a : next) {
                                a.attach(keep);
                            }
                            state[0] = next;
                        }
                    };
                });
                PlainJavaLstm plain = new PlainJavaLstm(weights, 2, 256, vocab.size());
                report("plain Java", runs, steps, sdkRate, () -> {
                    float[] logits = new float[vocab.size()];
                    int[] token = {3};
                    return () -> {
                        plain.step(token[0], logits);
                        int best = 0;
                        for (int v = 1; v < logits.length; v++) {
                            if (logits[v] > logits[best]) {
                                best = v;
                            }
                        }
                        token[0] = best;
                    };
                });
            }
            System.out.println();
            String text = Preprocessing.D2L.apply(Files.readString(book));
            System.out.printf(Locale.ROOT, "scoring The Time Machine (%,d characters)%n", text.length());
            int cores = Runtime.getRuntime().availableProcessors();
            double[] sdkScore = new double[runs];
            double[] djlScore = new double[runs];
            int[] ids = vocab.encode(text);
            try (CharModel sdk = CharModel.load(onnx, "bench", ModelOptions.builder().intraOpThreads(cores).build())) {
                for (int r = 0; r < runs; r++) {
                    long t0 = System.nanoTime();
                    sdk.newScorer(dev.charlm.sdk.ScoringOptions.builder().mode(dev.charlm.sdk.ScoringMode.EXACT).build()).score("book", text);
                    sdkScore[r] = text.length() / ((System.nanoTime() - t0) / 1e9);
                    t0 = System.nanoTime();
                    HeldOutScorer.evaluateExact(djl, List.of(ids));
                    djlScore[r] = text.length() / ((System.nanoTime() - t0) / 1e9);
                }
            }
            System.out.printf(Locale.ROOT, "  %-22s %10.0f chars/s (one text: one batch row)%n", "sdk (ONNX Runtime)", median(sdkScore));
            System.out.printf(Locale.ROOT, "  %-22s %10.0f chars/s   %5.2fx of sdk%n", "DJL (PyTorch)", median(djlScore),
                    median(djlScore) / median(sdkScore));
        }
    }

    interface StepFactory {
        Runnable create() throws Exception;
    }

    /** Times {@code steps} single steps per run; prints rate and per-step latency percentiles. */
    static double report(String name, int runs, int steps, double reference, StepFactory factory) throws Exception {
        double[] rates = new double[runs];
        long[] all = new long[runs * steps];
        for (int r = 0; r < runs; r++) {
            Runnable step = factory.create();
            for (int w = 0; w < 200; w++) {
                step.run(); // warm-up
            }
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                step.run();
                all[r * steps + i] = System.nanoTime() - t0;
            }
            rates[r] = steps / ((System.nanoTime() - start) / 1e9);
        }
        Arrays.sort(all);
        double rate = median(rates);
        System.out.printf(Locale.ROOT, "  %-22s %10.0f %10.1f %10.1f %8s%n", name, rate, all[all.length / 2] / 1e3,
                all[(int) (all.length * 0.99)] / 1e3, reference == 0 ? "1.00x" : String.format(Locale.ROOT, "%.2fx", rate / reference));
        return rate;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
