package dev.charlm.trainer.internal;

import ai.djl.engine.Engine;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Two libtorch settings DJL does not expose, applied once after the engine has loaded, through
 * the C++ symbols of the libraries it mapped:
 *
 * <ul>
 *   <li><b>oneDNN off.</b> libtorch 2.7.1's CPU LSTM, outside autograd's grad mode, runs on
 *       oneDNN, which computes wrong outputs for hidden sizes of 16 and below (0.07 on the
 *       logits of a 1x16 LSTM against the chapter's equations, where 24 and up agree to 3e-8);
 *       under grad mode, as in training, its results agree (but its steps map and unmap a fresh
 *       ~70 MB workspace each for a 2x384 LSTM: training is 1.6x faster with it off). So held-out
 *       scores, samples and the export's parity reference, all computed outside grad mode,
 *       were wrong for small models while training was right. With oneDNN off every forward
 *       pass runs the kernels training runs ({@code torch.backends.mkldnn.enabled = False} in
 *       Python). This is required: if it cannot be applied, the engine refuses to start.
 *   <li><b>Log level.</b> libtorch reads {@code TORCH_CPP_LOG_LEVEL} only in {@code
 *       c10::initLogging()}, which PyTorch's Python module calls at import and DJL never does;
 *       so a JVM prints libtorch's warnings whatever the variable says. Best effort.
 * </ul>
 */
public final class TorchRuntime {

    private static final String INIT_LOGGING = "_ZN3c1011initLoggingEv"; // c10::initLogging()
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv"; // at::globalContext()
    private static final String SET_MKLDNN = "_ZN2at7Context20setUserEnabledMkldnnEb"; // Context::setUserEnabledMkldnn(bool)
    private static final String GET_MKLDNN = "_ZNK2at7Context17userEnabledMkldnnEv"; // Context::userEnabledMkldnn() const
    private static boolean applied;

    private TorchRuntime() {}

    /** Loads the engine (if it is not loaded) and applies both settings once. */
    public static synchronized void apply() {
        if (applied) {
            return;
        }
        Engine.getInstance();
        disableOneDnn();
        applied = true;
        if (System.getenv("TORCH_CPP_LOG_LEVEL") == null) {
            return;
        }
        try {
            Optional<String> c10 = loadedLibrary("libc10.");
            if (c10.isPresent()) {
                NativeLibrary.getInstance(c10.get()).getFunction(INIT_LOGGING).invokeVoid(new Object[0]);
            }
        } catch (RuntimeException | LinkageError e) {
            // The symbol is missing in this build, or JNA cannot load here: keep libtorch's default.
        }
    }

    /** Whether oneDNN is off in this process's libtorch. */
    public static boolean oneDnnDisabled() {
        return !Boolean.TRUE.equals(context().invoke(GET_MKLDNN, Boolean.class));
    }

    private static void disableOneDnn() {
        try {
            Context c = context();
            c.invokeVoid(SET_MKLDNN, Boolean.FALSE);
            if (Boolean.TRUE.equals(c.invoke(GET_MKLDNN, Boolean.class))) {
                throw new IllegalStateException("libtorch kept oneDNN enabled");
            }
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("cannot switch libtorch's oneDNN off (" + e.getMessage() + "); its CPU"
                    + " LSTM would compute wrong outputs outside training for hidden sizes up to 16", e);
        }
    }

    /** libtorch's global context, the {@code this} of its member functions. */
    private record Context(NativeLibrary library, Pointer self) {
        void invokeVoid(String symbol, Object argument) {
            library.getFunction(symbol).invokeVoid(new Object[] {self, argument});
        }

        Object invoke(String symbol, Class<?> type) {
            return library.getFunction(symbol).invoke(type, new Object[] {self});
        }
    }

    private static Context context() {
        String path = loadedLibrary("libtorch_cpu.").orElseThrow(
                () -> new IllegalStateException("libtorch_cpu is not mapped into this process"));
        NativeLibrary library = NativeLibrary.getInstance(path);
        Function global = library.getFunction(GLOBAL_CONTEXT);
        return new Context(library, global.invokePointer(new Object[0]));
    }

    /** The path of a native library already mapped into this process (Linux), by file-name prefix. */
    private static Optional<String> loadedLibrary(String prefix) {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.filter(l -> l.indexOf('/') >= 0).map(l -> l.substring(l.indexOf('/')))
                    .filter(p -> p.substring(p.lastIndexOf('/') + 1).startsWith(prefix))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
