package dev.charlm.spark;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.InvalidModelException;
import java.io.IOException;
import java.nio.file.Path;
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

    private static final Map<String, CharModel> MODELS = new HashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ModelCache() {}

    /**
     * The model with this SHA-256, loading {@code file} if this JVM has not yet.
     *
     * @param threads ONNX Runtime intra-op threads: the cores one task may use
     */
    static CharModel get(String sha256, Path file, int threads) throws IOException, InvalidModelException {
        String key = sha256 + "/" + threads;
        synchronized (MODELS) {
            CharModel model = MODELS.get(key);
            if (model == null) {
                LOADS.incrementAndGet();
                // Spinning threads would steal the cores of the executor's other tasks.
                model = CharModel.load(file, ModelOptions.builder().intraOpThreads(threads).spinning(false)
                        .prefixCacheEntries(0).build());
                MODELS.put(key, model);
            }
            return model;
        }
    }

    /** How many models this JVM has loaded. */
    static int loads() {
        return LOADS.get();
    }
}
