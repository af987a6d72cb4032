package dev.charlm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the native executable would be built from (target/native-sources, written by every
 * build with -Dquarkus.native.sources-only): ONNX Runtime initialised at run time, every one of
 * its classes registered for JNI, its native libraries and the default model included as
 * resources. native-image itself cannot run on these machines; this is what can be checked.
 */
class NativeSourcesIT {

    static final Path SOURCES = Path.of(System.getProperty("charlm.native.sources", "target/native-sources"));
    static final ObjectMapper JSON = new ObjectMapper();

    static Path runnerJar() throws Exception {
        try (Stream<Path> s = Files.list(SOURCES)) {
            return s.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst().orElseThrow(
                    () -> new AssertionError("no runner jar in " + SOURCES));
        }
    }

    static Path libJar(String prefix) throws Exception {
        try (Stream<Path> s = Files.list(SOURCES.resolve("lib"))) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow(
                    () -> new AssertionError("no " + prefix + "* in " + SOURCES.resolve("lib")));
        }
    }

    static JsonNode jsonEntry(Path jar, String entry) throws Exception {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            ZipEntry e = z.getEntry(entry);
            assertTrue(e != null, jar + " lacks " + entry);
            return JSON.readTree(z.getInputStream(e));
        }
    }

    @Test
    void argsInitialiseOnnxRuntimeAtRunTime() throws Exception {
        String args = Files.readString(SOURCES.resolve("native-image.args"));
        assertTrue(args.contains("--initialize-at-run-time=ai.onnxruntime"), args);
    }

    @Test
    void everyOnnxRuntimeClassIsRegisteredForJni() throws Exception {
        JsonNode jni = jsonEntry(runnerJar(), "META-INF/native-image/dev.charlm/charlm-app/jni-config.json");
        Set<String> registered = new HashSet<>();
        for (JsonNode entry : jni) {
            registered.add(entry.get("name").asText());
            if (entry.get("name").asText().startsWith("ai.onnxruntime.")) {
                assertTrue(entry.path("allDeclaredConstructors").asBoolean() && entry.path("allDeclaredMethods").asBoolean()
                        && entry.path("allDeclaredFields").asBoolean(), entry.toString());
            }
        }
        assertTrue(registered.contains("java.lang.String"));
        List<String> missing = new ArrayList<>();
        try (ZipFile ort = new ZipFile(libJar("com.microsoft.onnxruntime").toFile())) {
            ort.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("ai/onnxruntime/") && n.endsWith(".class") && !n.contains("-info"))
                    .map(n -> n.substring(0, n.length() - 6).replace('/', '.'))
                    .filter(n -> !registered.contains(n))
                    .forEach(missing::add);
        }
        assertEquals(List.of(), missing, "ONNX Runtime classes without JNI registration (regenerate jni-config.json)");
    }

    @Test
    void nativeLibrariesBuiltInModelsAndThePageAreResourcesOfTheImage() throws Exception {
        JsonNode resources = jsonEntry(runnerJar(), "META-INF/native-image/resource-config.json");
        List<Pattern> includes = new ArrayList<>();
        resources.path("resources").path("includes").forEach(i -> includes.add(Pattern.compile(i.get("pattern").asText())));
        List<String> needed = new ArrayList<>(List.of("ai/onnxruntime/native/linux-x64/libonnxruntime.so",
                "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so"));
        // Every built-in model in the sdk jar (each precision) and every file of the playground.
        try (ZipFile sdk = new ZipFile(libJar("dev.charlm.charlm-sdk").toFile());
                ZipFile app = new ZipFile(runnerJar().toFile())) {
            sdk.stream().map(ZipEntry::getName).filter(n -> n.startsWith("dev/charlm/sdk/") && n.endsWith(".onnx"))
                    .forEach(needed::add);
            app.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("dev/charlm/app/playground/") && !n.endsWith("/")).forEach(needed::add);
            assertTrue(sdk.getEntry("dev/charlm/sdk/default-model.onnx").getSize() > 3_000_000);
            assertTrue(sdk.getEntry("dev/charlm/sdk/default-model-int8.onnx") != null);
            assertTrue(app.getEntry("dev/charlm/app/playground/index.html") != null);
        }
        for (String n : needed) {
            assertTrue(includes.stream().anyMatch(p -> p.matcher(n).matches()), n + " is not included: " + includes);
        }
        try (ZipFile ort = new ZipFile(libJar("com.microsoft.onnxruntime").toFile())) {
            assertTrue(ort.getEntry("ai/onnxruntime/native/linux-x64/libonnxruntime.so") != null);
        }
    }
}
