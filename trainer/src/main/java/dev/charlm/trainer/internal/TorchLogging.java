package dev.charlm.trainer.internal;

import ai.djl.engine.Engine;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Makes libtorch honour {@code TORCH_CPP_LOG_LEVEL}, as it does under Python.
 *
 * <p>libtorch reads that variable only in {@code c10::initLogging()}, which PyTorch's Python
 * module calls at import and DJL never does; so a JVM prints libtorch's warnings whatever the
 * variable says, among them a deprecation notice from DJL's own JNI code at every run. This
 * calls {@code c10::initLogging()} once, after the engine has loaded libc10. Best effort: on a
 * platform or build where the library or the symbol cannot be found, nothing changes.
 */
public final class TorchLogging {

    private static final String INIT_LOGGING = "_ZN3c1011initLoggingEv"; // c10::initLogging()
    private static boolean applied;

    private TorchLogging() {}

    /** Loads the engine (if it is not loaded) and applies the environment's log level once. */
    public static synchronized void applyEnvironment() {
        if (applied) {
            return;
        }
        applied = true;
        Engine.getInstance();
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
