package dev.charlm.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sdk in a JVM whose command line is long, as in real apps and Spark executors: ONNX
 * Runtime 1.29 crashes such a JVM (SIGSEGV) when its environment is created on an ordinary
 * thread (see {@code OrtRuntime}). The child JVMs get a class path of over 16 KB and an
 * environment without the variables that make ONNX Runtime skip its telemetry (CI=true would
 * hide the crash on a CI machine).
 */
class LongCommandLineTest {

    /** Variables that switch ONNX Runtime's telemetry off, so the crash would not happen. */
    private static final List<String> TELEMETRY_SWITCHES = List.of("ORT_DISABLE_TELEMETRY", "ORT_RUNNING_UNIT_TESTS",
            "CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI", "CIRCLECI", "TRAVIS", "JENKINS_URL", "CODEBUILD_BUILD_ID",
            "BUILDKITE", "TEAMCITY_VERSION", "APPVEYOR", "BITBUCKET_BUILD_NUMBER", "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI");

    /** Loads the default model, generates and scores: what the child JVM runs. */
    public static final class LoadGenerateScore {
        public static void main(String[] args) throws Exception {
            try (CharModel model = CharModel.loadDefault()) {
                GenerationSession session = model.newSession();
                session.feed("time traveller");
                System.out.println("generated:" + session.generate(GenerationOptions.greedy(20), null).text());
                ScoreReport r = model.newScorer().score("text", "the time traveller smiled round at us");
                System.out.println("perplexity:" + r.perplexity());
            }
        }
    }

    /** What the sdk avoids: ONNX Runtime's environment created on the main thread. */
    public static final class RawEnvironment {
        public static void main(String[] args) {
            ai.onnxruntime.OrtEnvironment.getEnvironment();
            System.out.println("environment created");
        }
    }

    @Test
    void sdkLoadsGeneratesAndScoresInAJvmWithA16KbCommandLine() throws Exception {
        Child child = run(LoadGenerateScore.class);
        assertTrue(child.commandLineBytes >= 16 * 1024, "command line only " + child.commandLineBytes + " bytes");
        assertEquals(0, child.exitCode, child.output);
        try (CharModel model = CharModel.loadDefault()) {
            GenerationSession session = model.newSession();
            session.feed("time traveller");
            String expected = session.generate(GenerationOptions.greedy(20), null).text();
            double perplexity = model.newScorer().score("text", "the time traveller smiled round at us").perplexity();
            assertTrue(child.output.contains("generated:" + expected), child.output);
            assertTrue(child.output.contains("perplexity:" + perplexity), child.output);
        }
    }

    @Test
    void theSameJvmCrashesWhenOnnxRuntimeStartsOnTheMainThread() throws Exception {
        String version = ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion();
        Child child = run(RawEnvironment.class);
        if ("1.29.0".equals(version)) {
            // The control: proves the other test exercises the crash (SIGSEGV: 128 + 11).
            assertEquals(139, child.exitCode, child.output);
        } else {
            System.out.println("ONNX Runtime " + version + ": raw start-up exited with " + child.exitCode);
        }
    }

    private record Child(int exitCode, String output, int commandLineBytes) {}

    private static Child run(Class<?> main) throws IOException, InterruptedException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        StringBuilder padded = new StringBuilder(classpath);
        // Entries that do not exist, as a long real class path has many: the JVM ignores them.
        for (int i = 0; padded.length() < 17 * 1024; i++) {
            padded.append(java.io.File.pathSeparator).append("/nonexistent/lib/dependency-").append(i).append("-1.0.jar");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss1m", "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=/dev/null",
                "-cp", padded.toString(), main.getName()));
        int bytes = command.stream().mapToInt(s -> s.getBytes(StandardCharsets.UTF_8).length + 1).sum();
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        TELEMETRY_SWITCHES.forEach(env::remove);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(main.getSimpleName() + " did not finish in 120 s");
        }
        return new Child(p.exitValue(), new String(out, StandardCharsets.UTF_8), bytes);
    }
}
