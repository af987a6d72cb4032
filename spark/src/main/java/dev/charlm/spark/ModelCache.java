package dev.charlm.spark;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.InvalidModelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models of this JVM, loaded once each and shared by every task that runs in it (ONNX
 * Runtime's run is thread-safe), keyed by the model file's SHA-256: an executor loads the
 * shipped file once however many tasks and jobs use it, and ONNX Runtime's native library is
 * unpacked once per JVM when the first one loads. Models live as long as the JVM.
 */
final class ModelCache {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelCache.class);
    private static final Map<String, CharModel> MODELS = new HashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ModelCache() {}

    /**
     * The model with this SHA-256, loading {@code file} if this JVM has not yet.
     *
     * @param threads ONNX Runtime intra-op threads: the cores one task may use
     * @throws IOException if the file to load is not the model with this SHA-256
     */
    static CharModel get(String sha256, Path file, int threads) throws IOException, InvalidModelException {
        String key = sha256 + "/" + threads;
        synchronized (MODELS) {
            CharModel model = MODELS.get(key);
            if (model == null) {
                // Spark ships a path once per session: a model file replaced under the same name
                // for a later job reaches a cluster's executors as the old file.
                String actual = sha256(file);
                if (!actual.equals(sha256)) {
                    throw new IOException(file + ": SHA-256 " + actual + ", not the driver's model " + sha256
                            + " (a model file replaced during a Spark session is not shipped again: give it a new name)");
                }
                LOADS.incrementAndGet();
                long t0 = System.nanoTime();
                // Spinning threads would steal the cores of the executor's other tasks.
                model = CharModel.load(file, ModelOptions.builder().intraOpThreads(threads).spinning(false)
                        .prefixCacheEntries(0).build());
                MODELS.put(key, model);
                LOG.info("charlm: loaded {} (SHA-256 {}, {} intra-op thread(s)) in {} ms; every task of this JVM"
                        + " shares it", model, sha256.substring(0, 12), threads, (System.nanoTime() - t0) / 1_000_000);
            }
            return model;
        }
    }

    /** One of the sdk's built-in models in this JVM, loaded once, with the cores one task may use. */
    static CharModel builtIn(dev.charlm.sdk.BuiltInModel which) throws IOException, InvalidModelException {
        int threads = org.apache.spark.SparkEnv.get().conf().getInt("spark.task.cpus", 1);
        String key = "built-in/" + which.id() + "/" + threads;
        synchronized (MODELS) {
            CharModel model = MODELS.get(key);
            if (model == null) {
                LOADS.incrementAndGet();
                model = CharModel.loadBuiltIn(which, dev.charlm.contract.Precision.FP32,
                        ModelOptions.builder().intraOpThreads(threads).spinning(false).prefixCacheEntries(0).build());
                MODELS.put(key, model);
                LOG.info("charlm: loaded {} ({} intra-op thread(s)); every task of this JVM shares it", model, threads);
            }
            return model;
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0;) {
                md.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many models this JVM has loaded. */
    static int loads() {
        return LOADS.get();
    }
}
