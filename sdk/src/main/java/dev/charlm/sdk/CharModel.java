package dev.charlm.sdk;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.charlm.contract.JsonStrings;
import dev.charlm.contract.ModelContract;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import dev.charlm.sdk.internal.OrtRuntime;
import dev.charlm.sdk.internal.StepRunner;
import dev.charlm.sdk.internal.Stepper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A loaded charlm model: an ONNX Runtime session over a file that follows the charlm contract
 * (inputs {@code tokens}, {@code h0}[, {@code c0}]; outputs {@code logits}, {@code hn}[,
 * {@code cn}]; vocabulary, preprocessing and sizes in its metadata).
 *
 * <p>Thread-safe: one model serves any number of threads, each with its own {@link
 * GenerationSession}s. {@link #close()} waits for calls in flight, then frees the native
 * session; calls after it, from any thread, throw {@link ModelClosedException}. Closing twice
 * is harmless.
 */
public final class CharModel implements AutoCloseable {

    /** Classpath location of the default model (2x256 LSTM trained on The Time Machine). */
    public static final String DEFAULT_MODEL_RESOURCE = "/dev/charlm/sdk/default-model.onnx";

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
    private final Map<String, SessionSnapshot> prefixCache;
    private final int prefixCacheCapacity;
    private final AtomicLong cacheHits = new AtomicLong();
    private final AtomicLong cacheMisses = new AtomicLong();
    private final long fingerprint;
    private volatile boolean closed;

    private CharModel(ModelInfo info, OrtEnvironment env, OrtSession session, Device device, ModelOptions options) {
        this.info = info;
        this.env = env;
        this.session = session;
        this.device = device;
        this.prefixCacheCapacity = options.prefixCacheEntries();
        this.prefixCache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SessionSnapshot> eldest) {
                return size() > prefixCacheCapacity;
            }
        };
        this.fingerprint = fingerprint(info);
    }

    /** Loads a model file with default options. */
    public static CharModel load(Path file) throws InvalidModelException, IOException {
        return load(file, ModelOptions.defaults());
    }

    /** Loads a model file. */
    public static CharModel load(Path file, ModelOptions options) throws InvalidModelException, IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such model file");
        }
        return load(bytes, file.toString(), options);
    }

    /** Loads a model from a stream (read to its end, not closed). */
    public static CharModel load(InputStream in, String name, ModelOptions options)
            throws InvalidModelException, IOException {
        return load(in.readAllBytes(), name, options);
    }

    /** Loads the embedded default model with default options. */
    public static CharModel loadDefault() throws InvalidModelException, IOException {
        return loadDefault(ModelOptions.defaults());
    }

    /** Loads the embedded default model: a 2x256 LSTM trained on The Time Machine. */
    public static CharModel loadDefault(ModelOptions options) throws InvalidModelException, IOException {
        try (InputStream in = CharModel.class.getResourceAsStream(DEFAULT_MODEL_RESOURCE)) {
            if (in == null) {
                throw new IOException("the default model " + DEFAULT_MODEL_RESOURCE + " is not on the classpath");
            }
            return load(in, "default model", options);
        }
    }

    /**
     * Loads a model from bytes.
     *
     * @param name names the model in messages
     * @throws InvalidModelException if the bytes are not ONNX or not a charlm model
     */
    public static CharModel load(byte[] bytes, String name, ModelOptions options) throws InvalidModelException {
        if (bytes.length == 0) {
            throw new InvalidModelException(name, "file is empty, expected an ONNX model");
        }
        OrtEnvironment env = OrtRuntime.environment();
        Device device = options.device();
        OrtSession session;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
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
            throw new InvalidModelException(name, "not a valid ONNX model (ONNX Runtime: " + firstLine(e.getMessage()) + ")", e);
        }
        try {
            ModelInfo info = validate(name, session);
            return new CharModel(info, env, session, device, options);
        } catch (InvalidModelException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static ModelInfo validate(String name, OrtSession session) throws InvalidModelException {
        Map<String, String> md;
        try {
            md = session.getMetadata().getCustomMetadata();
        } catch (OrtException e) {
            throw new InvalidModelException(name, "cannot read metadata: " + e.getMessage(), e);
        }
        if (!md.containsKey(ModelContract.KEY_FORMAT_VERSION)) {
            throw new InvalidModelException(name, "an ONNX model without charlm metadata (no "
                    + ModelContract.KEY_FORMAT_VERSION + "); export it with charlm export");
        }
        int version = intKey(name, md, ModelContract.KEY_FORMAT_VERSION);
        if (version != ModelContract.FORMAT_VERSION) {
            throw new InvalidModelException(name, "charlm format version " + version + ", this sdk reads "
                    + ModelContract.FORMAT_VERSION);
        }
        String cell = require(name, md, ModelContract.KEY_CELL);
        if (!List.of(ModelContract.CELL_LSTM, ModelContract.CELL_GRU, ModelContract.CELL_RNN).contains(cell)) {
            throw new InvalidModelException(name, "unknown cell '" + cell + "' in " + ModelContract.KEY_CELL);
        }
        int layers = intKey(name, md, ModelContract.KEY_LAYERS);
        int hidden = intKey(name, md, ModelContract.KEY_HIDDEN);
        if (layers < 1 || hidden < 1) {
            throw new InvalidModelException(name, "layers and hidden must be positive, got " + layers + " and " + hidden);
        }
        Preprocessing preprocessing;
        Vocabulary vocab;
        try {
            preprocessing = Preprocessing.fromId(require(name, md, ModelContract.KEY_PREPROCESSING));
            vocab = Vocabulary.of(JsonStrings.decode(require(name, md, ModelContract.KEY_VOCAB)));
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(name, e.getMessage());
        }
        if (intKey(name, md, ModelContract.KEY_UNK_ID) != ModelContract.UNK_ID) {
            throw new InvalidModelException(name, ModelContract.KEY_UNK_ID + " must be " + ModelContract.UNK_ID);
        }
        boolean lstm = ModelContract.CELL_LSTM.equals(cell);
        try {
            Map<String, NodeInfo> in = session.getInputInfo();
            Map<String, NodeInfo> out = session.getOutputInfo();
            Set<String> expectedIn = lstm ? Set.of(ModelContract.TOKENS, ModelContract.H0, ModelContract.C0)
                    : Set.of(ModelContract.TOKENS, ModelContract.H0);
            Set<String> expectedOut = lstm ? Set.of(ModelContract.LOGITS, ModelContract.HN, ModelContract.CN)
                    : Set.of(ModelContract.LOGITS, ModelContract.HN);
            if (!in.keySet().equals(expectedIn)) {
                throw new InvalidModelException(name, "inputs are " + new TreeSet<>(in.keySet()) + ", a " + cell
                        + " charlm model has " + new TreeSet<>(expectedIn));
            }
            if (!out.keySet().equals(expectedOut)) {
                throw new InvalidModelException(name, "outputs are " + new TreeSet<>(out.keySet()) + ", a " + cell
                        + " charlm model has " + new TreeSet<>(expectedOut));
            }
            checkTensor(name, in.get(ModelContract.TOKENS), OnnxJavaType.INT64, 2, -1);
            for (String s : lstm ? List.of(ModelContract.H0, ModelContract.C0) : List.of(ModelContract.H0)) {
                checkTensor(name, in.get(s), OnnxJavaType.FLOAT, 3, hidden);
            }
            checkTensor(name, out.get(ModelContract.LOGITS), OnnxJavaType.FLOAT, 3, vocab.size());
        } catch (OrtException e) {
            throw new InvalidModelException(name, "cannot read inputs and outputs: " + e.getMessage(), e);
        }
        OptionalDouble ppl = OptionalDouble.empty();
        String p = md.get(ModelContract.KEY_HELDOUT_PERPLEXITY);
        if (p != null) {
            try {
                ppl = OptionalDouble.of(Double.parseDouble(p));
            } catch (NumberFormatException e) {
                throw new InvalidModelException(name, ModelContract.KEY_HELDOUT_PERPLEXITY + " is not a number: " + p);
            }
        }
        return new ModelInfo(name, cell, layers, hidden, preprocessing, vocab, ppl,
                Collections.unmodifiableMap(new LinkedHashMap<>(md)));
    }

    private static void checkTensor(String name, NodeInfo node, OnnxJavaType type, int rank, int lastDim)
            throws InvalidModelException {
        if (!(node.getInfo() instanceof TensorInfo)) {
            throw new InvalidModelException(name, node.getName() + " is not a tensor");
        }
        TensorInfo t = (TensorInfo) node.getInfo();
        long[] shape = t.getShape();
        if (t.type != type || shape.length != rank || (lastDim > 0 && shape[rank - 1] != lastDim)) {
            throw new InvalidModelException(name, node.getName() + " is " + t.type + " " + Arrays.toString(shape)
                    + ", expected " + type + " of rank " + rank + (lastDim > 0 ? " ending in " + lastDim : ""));
        }
    }

    private static String require(String name, Map<String, String> md, String key) throws InvalidModelException {
        String v = md.get(key);
        if (v == null) {
            throw new InvalidModelException(name, "metadata lacks " + key);
        }
        return v;
    }

    private static int intKey(String name, Map<String, String> md, String key) throws InvalidModelException {
        String v = require(name, md, key);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidModelException(name, key + " must be an integer, got '" + v + "'");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static long fingerprint(ModelInfo info) {
        String key = info.cell() + "/" + info.layers() + "/" + info.hidden() + "/" + info.preprocessing().id()
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

    /** A scorer with default batching (32 texts x 256 characters per call). */
    public PerplexityScorer newScorer() {
        checkOpen();
        return new PerplexityScorer(this, PerplexityScorer.DEFAULT_BATCH, PerplexityScorer.DEFAULT_CHUNK);
    }

    /** Hits, misses and size of the prompt cache. */
    public PrefixCacheStats prefixCacheStats() {
        synchronized (prefixCache) {
            return new PrefixCacheStats(cacheHits.get(), cacheMisses.get(), prefixCache.size(), prefixCacheCapacity);
        }
    }

    long fingerprint() {
        return fingerprint;
    }

    SessionSnapshot cachedPrefix(String preprocessedPrompt) {
        if (prefixCacheCapacity == 0) {
            return null;
        }
        synchronized (prefixCache) {
            SessionSnapshot s = prefixCache.get(preprocessedPrompt);
            (s == null ? cacheMisses : cacheHits).incrementAndGet();
            return s;
        }
    }

    void cachePrefix(String preprocessedPrompt, SessionSnapshot snapshot) {
        if (prefixCacheCapacity > 0) {
            synchronized (prefixCache) {
                prefixCache.put(preprocessedPrompt, snapshot);
            }
        }
    }

    /** One token, batch 1: advances the state in place and writes next-token logits. */
    void step(int token, float[] h, float[] c, float[] logits) {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            checkOpen();
            StepRunner runner = runners.get();
            if (runner == null) {
                runner = new StepRunner(env, info.hasCellState(), info.layers(), info.hidden(), info.vocabulary().size());
                runners.set(runner);
                allRunners.add(runner);
            }
            runner.step(session, token, h, c, logits);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + info.source() + ": " + e.getMessage(), e);
        } finally {
            read.unlock();
        }
    }

    /**
     * One-token steps of {@code batch} rows on reused pinned tensors (one set per thread and
     * batch size): states [L, batch, H] in the prefixes of {@code h}/{@code c}, results to the
     * prefixes of the output arrays. The step batcher's path.
     */
    void stepBatch(int batch, long[] tokens, float[] h, float[] c, float[] logits, float[] hOut, float[] cOut) {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            checkOpen();
            Map<Integer, StepRunner> mine = batchRunners.get();
            StepRunner runner = mine.get(batch);
            if (runner == null) {
                runner = new StepRunner(env, info.hasCellState(), info.layers(), info.hidden(),
                        info.vocabulary().size(), batch);
                mine.put(batch, runner);
                allRunners.add(runner);
            }
            runner.run(session, tokens, h, c, logits, hOut, cOut);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + info.source() + ": " + e.getMessage(), e);
        } finally {
            read.unlock();
        }
    }

    /** Outputs of a batched run, row-major: logits [B, T, V], hn and cn [L, B, H]. */
    record BatchOutput(float[] logits, float[] hn, float[] cn) {}

    /** A batch of windows from given states (layout [L, B, H]). */
    BatchOutput run(long[] tokens, int batch, int steps, float[] h, float[] c) {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            checkOpen();
            long[] stateShape = {info.layers(), batch, info.hidden()};
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try {
                inputs.put(ModelContract.TOKENS, OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {batch, steps}));
                inputs.put(ModelContract.H0, OnnxTensor.createTensor(env, FloatBuffer.wrap(h), stateShape));
                if (info.hasCellState()) {
                    inputs.put(ModelContract.C0, OnnxTensor.createTensor(env, FloatBuffer.wrap(c), stateShape));
                }
                try (OrtSession.Result r = session.run(inputs)) {
                    return new BatchOutput(floats(r, ModelContract.LOGITS), floats(r, ModelContract.HN),
                            info.hasCellState() ? floats(r, ModelContract.CN) : null);
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + info.source() + ": " + e.getMessage(), e);
        } finally {
            read.unlock();
        }
    }

    private static float[] floats(OrtSession.Result r, String name) {
        FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
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
        return "CharModel[" + info.source() + ": " + info.layers() + "x" + info.hidden() + " " + info.cell()
                + ", vocab " + info.vocabulary().size() + ", " + device + "]";
    }
}
