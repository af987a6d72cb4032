package dev.charlm.cli;

import dev.charlm.contract.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ONNX Runtime unpacks its 28 MB native library into a temp directory on every start, about
 * 0.15 s of the time to the first character. This unpacks it once into
 * ~/.cache/charlm/onnxruntime-VERSION and points ONNX Runtime there ({@code
 * onnxruntime.native.path}). Anything unexpected leaves ONNX Runtime to its default.
 */
final class NativeLibraryCache {

    private static final String PROPERTY = "onnxruntime.native.path";
    private static final String RESOURCE_DIR = "/ai/onnxruntime/native/linux-x64/";
    private static final String[] LIBRARIES = {"libonnxruntime.so", "libonnxruntime4j_jni.so"};

    private NativeLibraryCache() {}

    static void prepare() {
        if (System.getProperty(PROPERTY) != null || !"Linux".equals(System.getProperty("os.name"))
                || !"amd64".equals(System.getProperty("os.arch"))) {
            return;
        }
        String version = ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion();
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "charlm",
                "onnxruntime-" + (version == null ? "unknown" : version));
        try {
            for (String lib : LIBRARIES) {
                Path target = dir.resolve(lib);
                if (Files.isRegularFile(target)) {
                    continue;
                }
                try (InputStream in = NativeLibraryCache.class.getResourceAsStream(RESOURCE_DIR + lib)) {
                    if (in == null) {
                        return;
                    }
                    Files.createDirectories(dir);
                    AtomicFiles.write(target, in::transferTo);
                }
            }
            System.setProperty(PROPERTY, dir.toString());
        } catch (IOException | RuntimeException e) {
            // Not worth failing for: ONNX Runtime still works from its own temp copy.
        }
    }
}
