package dev.charlm.sdk;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.charlm.contract.ModelContract;
import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.Precision;
import dev.charlm.sdk.internal.OrtRuntime;
import dev.charlm.sdk.internal.PrefixCache;
import dev.charlm.sdk.internal.StepRunner;
import dev.charlm.sdk.internal.Stepper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A loaded charlm model: an ONNX Runtime session over a file that follows the charlm contract
 * (inputs {@code tokens}, {@code h0}[, {@code c0}]; outputs {@code logits}, {@code hn}[,
 * {@code cn}]; {@link ModelMetadata} in its metadata).
 *
 * <p>Thread-safe: one model serves any number of threads, each with its own {@link
 * GenerationSession}s. {@link #close()} waits for calls in flight, then frees the native
 * session; calls after it, from any thread, throw {@link ModelClosedException}. Closing twice
 * is harmless.
 */
public final class CharModel implements AutoCloseable {

    /** Classpath location of the default model. */
    public static final String DEFAULT_MODEL_RESOURCE = "/dev/charlm/sdk/default-model.onnx";
    /** The largest model file read: protobuf's limit for a model without external data. */
    public static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - 8;

    private static final System.Logger LOG = System.getLogger(CharModel.class.getName());
    private static final AtomicBoolean CUDA_WARNED = new AtomicBoolean();

    private final ModelInfo info;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Device device;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ThreadLocal<StepRunner> runners = new ThreadLocal<>();
    private final ThreadLocal<Map<Integer, StepRunner>> batchRunners = ThreadLocal.withInitial(HashMap::new);
    private final ConcurrentLinkedQueue<StepRunner> allRunners = new ConcurrentLinkedQueue<>();
    private final PrefixCache<SessionSnapshot> prefixCache;
    private final long fingerprint;
    private volatile boolean closed;

    private CharModel(ModelInfo info, OrtEnvironment env, OrtSession session, Device device, ModelOptions options) {
        this.info = info;
        this.env = env;
        this.session = session;
        this.device = device;
        this.prefixCache = new PrefixCache<>(options.prefixCacheEntries());
        this.fingerprint = fingerprint(info);
    }

    /** Loads a model file with default options. */
    public static CharModel load(Path file) throws InvalidModelException, IOException {
        return load(file, ModelOptions.defaults());
    }

    /**
     * Loads a model file. The file is checked before it is read whole: it must be a regular
     * file (a pipe or device is refused, never waited on) under {@link #MAX_MODEL_BYTES} that
     * starts as an ONNX model does.
     */
    public static CharModel load(Path file, ModelOptions options) throws InvalidModelException, IOException {
        String name = file.toString();
        if (!Files.exists(file)) {
            throw new NoSuchFileException(name, null, "no such model file");
        }
        if (Files.isDirectory(file)) {
            throw new InvalidModelException(name, "is a directory, expected an ONNX model file");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelException(name, "is not a regular file (a pipe, socket or device), expected an ONNX model file");
        }
        long size = Files.size(file);
        ModelChecks.checkSize(name, size);
        try (InputStream in = Files.newInputStream(file)) {
            ModelChecks.checkHeader(name, in.readNBytes(1));
        }
        return load(Files.readAllBytes(file), name, options);
    }

    /** Loads a model from a stream (read to its end, at most {@link #MAX_MODEL_BYTES}; not closed). */
    public static CharModel load(InputStream in, String name, ModelOptions options)
            throws InvalidModelException, IOException {
        // Read in steps, checking as it comes, so that an endless or foreign stream is refused early.
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0;) {
            if (total == 0) {
                ModelChecks.checkHeader(name, buffer);
            }
            total += n;
            ModelChecks.checkSize(name, total);
            all.write(buffer, 0, n);
        }
        return load(all.toByteArray(), name, options);
    }

    /** Loads the embedded default model with default options. */
    public static CharModel loadDefault() throws InvalidModelException, IOException {
        return loadDefault(ModelOptions.defaults());
    }

    /** Loads the embedded default model (docs/results.md, "The built-in model"). */
    public static CharModel loadDefault(ModelOptions options) throws InvalidModelException, IOException {
        return loadBuiltIn(BuiltInModel.DEFAULT, Precision.FP32, options);
    }

    /** Loads a model inside the sdk jar in fp32 with default options ({@code loadBuiltIn(BuiltInModel.LARGE)}). */
    public static CharModel loadBuiltIn(BuiltInModel model) throws InvalidModelException, IOException {
        return loadBuiltIn(model, Precision.FP32, ModelOptions.defaults());
    }

    /** Loads a model inside the sdk jar, in fp32 or as its int8 twin. */
    public static CharModel loadBuiltIn(BuiltInModel model, Precision precision, ModelOptions options)
            throws InvalidModelException, IOException {
        String resource = model.resource(precision);
        try (InputStream in = CharModel.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the built-in model " + resource + " is not on the class path");
            }
            return load(in.readAllBytes(), model.id() + " model" + (precision == Precision.FP32 ? "" : " (int8)"),
                    options);
        }
    }

    /**
     * Loads a model from bytes.
     *
     * @param name names the model in messages
     * @throws InvalidModelException if the bytes are not ONNX or not a charlm model
     */
    public static CharModel load(byte[] bytes, String name, ModelOptions options) throws InvalidModelException {
        ModelChecks.checkSize(name, bytes.length);
        ModelChecks.checkHeader(name, bytes);
        ModelChecks.checkQuantized(name, bytes);
        OrtEnvironment env = OrtRuntime.environment();
        Device device = options.device();
        OrtSession session;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            if (!options.spinning()) {
                so.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            if (device == Device.CUDA) {
                try {
                    so.addCUDA(options.deviceId());
                } catch (OrtException e) {
                    device = Device.CPU;
                    if (CUDA_WARNED.compareAndSet(false, true)) {
                        LOG.log(System.Logger.Level.WARNING, "CUDA was requested but is not available ("
                                + e.getMessage() + "); running on the CPU");
                    }
                }
            }
            session = env.createSession(bytes, so);
        } catch (OrtException e) {
            throw new InvalidModelException(name, "not a valid ONNX model (ONNX Runtime: " + ModelChecks.firstLine(e.getMessage()) + ")", e);
        }
        try {
            ModelInfo info = ModelChecks.validate(name, session);
            CharModel model = new CharModel(info, env, session, device, options);
            model.probe();
            return model;
        } catch (InvalidModelException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    /** One real step, so that a graph that disagrees with its metadata is refused now, not mid-use. */
    private void probe() throws InvalidModelException {
        float[] h = new float[info.stateSize()];
        float[] c = info.hasCellState() ? new float[info.stateSize()] : null;
        try {
            Forward f = forward(new long[] {0}, 1, 1, h, c);
            if (f.hn().length != h.length || (c != null && f.cn().length != c.length)
                    || f.logits().length != info.vocabulary().size()) {
                throw new InvalidModelException(info.source(), "the graph returns states of " + f.hn().length
                        + " floats and " + f.logits().length + " logits per step, but its metadata implies "
                        + h.length + " and " + info.vocabulary().size());
            }
        } catch (IllegalStateException e) {
            throw new InvalidModelException(info.source(), "does not run as its metadata describes ("
                    + ModelChecks.firstLine(e.getCause() != null ? e.getCause().getMessage() : e.getMessage()) + ")", e);
        }
    }

    private static long fingerprint(ModelInfo info) {
        String key = info.cell().id() + "/" + info.layers() + "/" + info.hidden() + "/" + info.preprocessing().id()
                + "/" + info.vocabulary().tokens();
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    /** What the model file says about itself. */
    public ModelInfo info() {
        return info;
    }

    /** Where the model runs: CUDA only if it was asked for and could be used. */
    public Device device() {
        return device;
    }

    /** A new generation session starting from a zero state. Sessions are cheap; not thread-safe. */
    public GenerationSession newSession() {
        checkOpen();
        return new GenerationSession(this, this::step);
    }

    /** A session whose steps go through {@code stepper} (the step batcher's). */
    GenerationSession newSession(Stepper stepper) {
        checkOpen();
        return new GenerationSession(this, stepper);
    }

    /** A scorer with the default options (segmented; see {@link ScoringOptions}). */
    public PerplexityScorer newScorer() {
        return newScorer(ScoringOptions.defaults());
    }

    /** A scorer with these options. */
    public PerplexityScorer newScorer(ScoringOptions options) {
        checkOpen();
        return new PerplexityScorer(this, options);
    }

    /** Hits, misses and size of the prompt cache. */
    public PrefixCacheStats prefixCacheStats() {
        return prefixCache.stats();
    }

    long fingerprint() {
        return fingerprint;
    }

    PrefixCache<SessionSnapshot> prefixCache() {
        return prefixCache;
    }

    /** ONNX Runtime work done under the model's lock. */
    private interface OrtWork<T> {
        T run() throws OrtException;
    }

    /**
     * The one way into the session: holds the read lock (so {@link #close()} waits), refuses a
     * closed model, and turns ONNX Runtime's failures into unchecked exceptions naming the model.
     */
    private <T> T guarded(OrtWork<T> work) {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            checkOpen();
            return work.run();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + info.source() + ": " + e.getMessage(), e);
        } finally {
            read.unlock();
        }
    }

    /** One token, batch 1: advances the state in place and writes next-token logits. */
    void step(int token, float[] h, float[] c, float[] logits) {
        guarded(() -> {
            StepRunner runner = runners.get();
            if (runner == null) {
                runner = new StepRunner(env, info.hasCellState(), info.layers(), info.hidden(), info.vocabulary().size());
                runners.set(runner);
                allRunners.add(runner);
            }
            runner.step(session, token, h, c, logits);
            return null;
        });
    }

    /**
     * One-token steps of {@code batch} rows on reused pinned tensors (one set per thread and
     * batch size): states [L, batch, H] in the prefixes of {@code h}/{@code c}, results to the
     * prefixes of the output arrays. The step batcher's path.
     */
    void stepBatch(int batch, long[] tokens, float[] h, float[] c, float[] logits, float[] hOut, float[] cOut) {
        guarded(() -> {
            Map<Integer, StepRunner> mine = batchRunners.get();
            StepRunner runner = mine.get(batch);
            if (runner == null) {
                runner = new StepRunner(env, info.hasCellState(), info.layers(), info.hidden(),
                        info.vocabulary().size(), batch);
                mine.put(batch, runner);
                allRunners.add(runner);
            }
            runner.run(session, tokens, h, c, logits, hOut, cOut);
            return null;
        });
    }

    /**
     * What one run of the graph returns, row-major: logits [batch, steps, vocab], and the final
     * states hn and cn [layers, batch, hidden] (cn is null unless the cell is an LSTM).
     */
    public record Forward(float[] logits, float[] hn, float[] cn) {}

    /**
     * Runs the graph once: {@code batch} windows of {@code steps} tokens from the given states.
     * The low-level path, for tools that check a model against another implementation (the
     * exporter's parity check) or score in their own way; sessions and scorers are the usual way.
     *
     * @param tokens token ids [batch, steps], row-major
     * @param h initial hidden state [layers, batch, hidden]
     * @param c initial cell state [layers, batch, hidden] for an LSTM, else null
     */
    public Forward forward(long[] tokens, int batch, int steps, float[] h, float[] c) {
        int state = info.layers() * batch * info.hidden();
        if (batch < 1 || steps < 1 || tokens.length != batch * steps || h.length != state
                || (info.hasCellState() && (c == null || c.length != state))) {
            throw new IllegalArgumentException("forward needs " + batch * steps + " tokens and states of " + state
                    + " floats for batch " + batch + " x " + steps + " steps");
        }
        return guarded(() -> {
            long[] stateShape = {info.layers(), batch, info.hidden()};
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try {
                inputs.put(ModelContract.TOKENS, OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {batch, steps}));
                inputs.put(ModelContract.H0, OnnxTensor.createTensor(env, FloatBuffer.wrap(h), stateShape));
                if (info.hasCellState()) {
                    inputs.put(ModelContract.C0, OnnxTensor.createTensor(env, FloatBuffer.wrap(c), stateShape));
                }
                try (OrtSession.Result r = session.run(inputs)) {
                    return new Forward(floats(r, ModelContract.LOGITS), floats(r, ModelContract.HN),
                            info.hasCellState() ? floats(r, ModelContract.CN) : null);
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        });
    }

    private static float[] floats(OrtSession.Result r, String name) {
        FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow(
                () -> new IllegalStateException("the model returned no " + name))).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    private void checkOpen() {
        if (closed) {
            throw new ModelClosedException(info.source());
        }
    }

    /**
     * Frees the native session after the calls in flight finish; later calls throw {@link
     * ModelClosedException}. Idempotent.
     */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock write = lock.writeLock();
        write.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            StepRunner r;
            while ((r = allRunners.poll()) != null) {
                r.close();
            }
            closeQuietly(session);
        } finally {
            write.unlock();
        }
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException e) {
            LOG.log(System.Logger.Level.WARNING, "closing an ONNX Runtime session failed: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "CharModel[" + info.source() + ": " + info.layers() + "x" + info.hidden() + " " + info.cell().id()
                + ", vocab " + info.vocabulary().size() + ", " + device + "]";
    }
}
