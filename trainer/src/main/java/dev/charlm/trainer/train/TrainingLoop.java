package dev.charlm.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.trainer.checkpoint.CheckpointException;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.trainer.model.CharRnnModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * d2l's {@code train_ch8} with honest evaluation: one epoch walks the partitioning's minibatches
 * (state carried and detached in sequential mode, fresh per batch in random mode), clips the
 * global gradient norm, updates with the scheduled learning rate, folds the weights into the
 * average when there is one, then scores every held-out tail (with the averaged weights).
 */
public final class TrainingLoop {

    private final CharRnnModel model;
    private final ParameterUpdater updater;
    private final WeightAverage average;
    private final Corpus corpus;
    private final TrainingSettings settings;
    private final long totalSteps;
    private final List<int[]> heldOutTokens;

    /**
     * @param average the weight average to maintain and evaluate, or null
     */
    public TrainingLoop(CharRnnModel model, ParameterUpdater updater, WeightAverage average, Corpus corpus,
            TrainingSettings settings) {
        this.model = model;
        this.updater = updater;
        this.average = average;
        this.corpus = corpus;
        this.settings = settings;
        this.heldOutTokens = corpus.heldOutTokens();
        this.totalSteps = (long) settings.epochs()
                * settings.partitioning().batchesPerEpoch(corpus.trainingTokens().length, settings.batchSize(),
                        settings.numSteps());
        model.enableGradients();
    }

    /** The sampler's random source for an epoch: a function of the seed and the epoch only. */
    static Random epochRandom(long seed, int epoch) {
        return new Random(seed * 1_000_003L + epoch);
    }

    /**
     * Where an epoch stands between two batches: enough to continue it exactly (the loss so far
     * for its training perplexity, its step time, the state carried into the next batch).
     *
     * @param epoch 1-based epoch
     * @param nextBatch index of the next batch in the epoch's plan
     * @param lossSum summed training loss (nats) of the batches done
     * @param tokenCount training characters of the batches done
     * @param phaseNanos step time so far by phase, as {@link StepTiming} orders them
     * @param wallSeconds the epoch's wall time so far, mid-epoch evaluations included
     * @param carriedState the recurrent state the next batch starts from; empty in random
     *     partitioning
     */
    public record EpochProgress(int epoch, int nextBatch, double lossSum, long tokenCount, long[] phaseNanos,
            double wallSeconds, List<Tensor> carriedState) {

        /** Step time so far, in seconds. */
        public double stepSeconds() {
            long total = 0;
            for (long n : phaseNanos) {
                total += n;
            }
            return total / 1e9;
        }
    }

    /** Told when a checkpoint is due inside an epoch ({@link TrainingSettings#checkpointEvery()}). */
    public interface MidEpoch {
        /**
         * @param progress where the epoch stands
         * @param heldOut every file's held-out score at this point, in corpus order
         */
        void reached(EpochProgress progress, List<Evaluation> heldOut) throws CheckpointException;
    }

    /**
     * Trains epoch {@code epoch} (1-based), from its start or from {@code from}, and scores the
     * held-out text; every {@link TrainingSettings#checkpointEvery()} updates inside the epoch
     * it scores the held-out text and tells {@code midEpoch}.
     *
     * @param from where a checkpoint left this epoch, or null to start it
     * @param midEpoch told at each mid-epoch checkpoint, or null
     * @throws CheckpointException what {@code midEpoch} throws
     */
    public EpochMetrics runEpoch(int epoch, EpochProgress from, MidEpoch midEpoch, ProgressListener listener)
            throws CheckpointException {
        if (from != null && from.epoch() != epoch) {
            throw new IllegalArgumentException("progress of epoch " + from.epoch() + " given for epoch " + epoch);
        }
        long wallStart = System.nanoTime() - (from != null ? (long) (from.wallSeconds() * 1e9) : 0);
        int batchSize = settings.batchSize();
        int numSteps = settings.numSteps();
        int[] tokens = corpus.trainingTokens();
        List<int[]> plan = settings.partitioning().plan(tokens.length, batchSize, numSteps,
                epochRandom(settings.seed(), epoch));
        Shape shape = new Shape(batchSize, numSteps);
        long[] inputs = new long[batchSize * numSteps];
        long[] labels = new long[batchSize * numSteps];
        long[] phase = from != null ? from.phaseNanos().clone() : new long[5];
        double lossSum = from != null ? from.lossSum() : 0;
        long tokenCount = from != null ? from.tokenCount() : 0;
        int every = settings.checkpointEvery();
        Engine engine = Engine.getInstance();
        try (NDManager carry = NDManager.newBaseManager(model.device())) {
            NDList state = null;
            if (from != null && !from.carriedState().isEmpty()) {
                state = new NDList();
                for (Tensor t : from.carriedState()) {
                    state.add(carry.create(t.values(), new Shape(t.shape())));
                }
            }
            for (int b = from != null ? from.nextBatch() : 0; b < plan.size(); b++) {
                long t0 = System.nanoTime();
                try (NDManager scope = model.newScope()) {
                    Partitioning.fill(tokens, plan.get(b), numSteps, inputs, labels);
                    NDArray x = scope.create(inputs, shape);
                    NDArray y = scope.create(labels, shape);
                    NDList initial = state != null ? state : model.zeroState(scope, batchSize);
                    long t1 = System.nanoTime();
                    NDList out;
                    NDArray loss;
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        out = model.forward(x, initial, true);
                        loss = Losses.tokenNll(out.get(0), y).mean();
                        gc.backward(loss);
                    }
                    long t2 = System.nanoTime();
                    Map<String, NDArray> grads = new LinkedHashMap<>();
                    model.parameters().forEach((name, p) -> grads.put(name, p.getGradient()));
                    GradientClipping.clipGlobalNorm(grads.values(), settings.clip());
                    long t3 = System.nanoTime();
                    float lr = settings.schedule().rate(settings.learningRate(), updater.steps(), totalSteps,
                            settings.warmupSteps());
                    updater.update(model.parameters(), grads, lr, scope);
                    if (average != null) {
                        average.update(model.parameters(), scope);
                    }
                    long t4 = System.nanoTime();
                    for (NDArray g : grads.values()) {
                        g.subi(g); // PyTorch accumulates gradients; the next backward starts at zero
                    }
                    lossSum += loss.getFloat() * (double) (batchSize * numSteps);
                    tokenCount += (long) batchSize * numSteps;
                    if (state != null) {
                        state.close();
                        state = null;
                    }
                    if (settings.partitioning().carriesState()) {
                        state = new NDList(out.size() - 1);
                        for (int i = 1; i < out.size(); i++) {
                            NDArray detached = out.get(i).stopGradient();
                            detached.attach(carry);
                            state.add(detached);
                        }
                    }
                    long t5 = System.nanoTime();
                    phase[0] += t1 - t0;
                    phase[1] += t2 - t1;
                    phase[2] += t3 - t2;
                    phase[3] += t4 - t3;
                    phase[4] += t5 - t4;
                }
                if (listener != null) {
                    long stepNanos = phase[0] + phase[1] + phase[2] + phase[3] + phase[4];
                    listener.onBatch(epoch, b + 1, plan.size(), Math.exp(lossSum / tokenCount),
                            tokenCount / (stepNanos / 1e9));
                }
                if (midEpoch != null && every > 0 && updater.steps() % every == 0 && b + 1 < plan.size()) {
                    List<Tensor> carried = new ArrayList<>();
                    if (state != null) {
                        for (NDArray a : state) {
                            carried.add(new Tensor(a.getShape().getShape(), a.toFloatArray()));
                        }
                    }
                    List<Evaluation> heldOut = evaluateHeldOut();
                    midEpoch.reached(new EpochProgress(epoch, b + 1, lossSum, tokenCount, phase.clone(),
                            (System.nanoTime() - wallStart) / 1e9, List.copyOf(carried)), heldOut);
                }
            }
        }
        long stepNanos = phase[0] + phase[1] + phase[2] + phase[3] + phase[4];
        StepTiming timing = new StepTiming(phase[0] / 1e6, phase[1] / 1e6, phase[2] / 1e6,
                phase[3] / 1e6, phase[4] / 1e6);
        List<Evaluation> scores = evaluateHeldOut();
        Evaluation all = null;
        Map<String, Double> byFile = new LinkedHashMap<>();
        for (int i = 0; i < scores.size(); i++) {
            byFile.put(corpus.sources().get(i).path().getFileName().toString(), scores.get(i).perplexity());
            all = all == null ? scores.get(i) : all.plus(scores.get(i));
        }
        EpochMetrics metrics = new EpochMetrics(epoch, Math.exp(lossSum / tokenCount),
                all.perplexity(), all.bitsPerCharacter(), byFile, tokenCount / (stepNanos / 1e9),
                (System.nanoTime() - wallStart) / 1e9, timing);
        if (listener != null) {
            listener.onEpoch(metrics);
        }
        return metrics;
    }

    /** Every file's held-out score, with the averaged weights when the run keeps an average. */
    public List<Evaluation> evaluateHeldOut() {
        if (average == null) {
            return HeldOutScorer.evaluateAll(model, heldOutTokens);
        }
        return average.evaluate(model, () -> HeldOutScorer.evaluateAll(model, heldOutTokens));
    }
}
