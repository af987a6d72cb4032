package dev.charlm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run in a fresh JVM, as users start one: with {@code TORCH_CPP_LOG_LEVEL=ERROR} (what
 * the launcher sets) libtorch prints nothing; without it, libtorch's own warning shows, which
 * proves the first case would see one. Native stderr cannot be captured in-process.
 */
class TorchRuntimeTest {

    private static final String LIBTORCH_WARNING = "AutoNonVariableTypeMode is deprecated";

    @TempDir Path dir;

    @Test
    void theLogLevelFromTheEnvironmentSilencesLibtorchWarnings() throws Exception {
        String quiet = train("quiet", "ERROR");
        assertTrue(quiet.contains("epoch 1/1"), quiet);
        assertFalse(quiet.contains(LIBTORCH_WARNING), quiet);
        assertFalse(quiet.contains("[WARN]"), "no warning on a healthy CPU run:\n" + quiet);

        String loud = train("loud", null);
        assertTrue(loud.contains(LIBTORCH_WARNING),
                "the control run shows libtorch's warning (else the quiet run proves nothing):\n" + loud);
    }

    private String train(String name, String logLevel) throws IOException, InterruptedException {
        Path text = Files.writeString(dir.resolve(name + ".txt"), "the time traveller smiled at us. ".repeat(40));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))));
        for (String p : List.of("ai.djl.offline", "DJL_CACHE_DIR", "ai.djl.pytorch.num_interop_threads")) {
            if (System.getProperty(p) != null) {
                command.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        command.addAll(List.of("dev.charlm.trainer.TrainCommand", "--data", text.toString(), "--layers", "1",
                "--hidden", "8", "--epochs", "1", "--batch-size", "4", "--num-steps", "8",
                "--out", dir.resolve(name).toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("TORCH_CPP_LOG_LEVEL");
        if (logLevel != null) {
            pb.environment().put("TORCH_CPP_LOG_LEVEL", logLevel);
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("training did not finish in 120 s");
        }
        String output = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        return output;
    }
}
