package dev.charlm.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.Implementation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Independent validation by the ONNX project's own checker (Debian's python3-onnx, installed by
 * .ci/run): full check and strict shape inference. Skipped, with the reason, where it is missing.
 */
class OnnxValidityTest {

    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    static final String CHECK = String.join("\n",
            "import sys, onnx",
            "m = onnx.load(sys.argv[1])",
            "onnx.checker.check_model(m, full_check=True)",
            "inferred = onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)",
            "outs = {o.name: [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim] for o in inferred.graph.output}",
            "print(sorted(outs.items()))");

    @TempDir static Path dir;

    @BeforeAll
    static void requireOnnx() throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", "import onnx").redirectErrorStream(true).start();
        boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        Assumptions.assumeTrue(ok, "python3-onnx is not installed (apt-get install python3-onnx); skipping the"
                + " ONNX checker test");
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void passesOnnxCheckerAndStrictShapeInference(Cell cell) throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "valid-" + cell, cell, 2, Implementation.BUILTIN);
        Path onnx = dir.resolve("valid-" + cell + ".onnx");
        new Exporter().export(ckpt, onnx);
        Process p = new ProcessBuilder(PYTHON, "-c", CHECK, onnx.toString()).redirectErrorStream(true).start();
        p.waitFor(120, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        String expected = cell == Cell.LSTM
                ? "[('cn', [2, 'batch', 24]), ('hn', [2, 'batch', 24]), ('logits', ['batch', 'seq', 28])]"
                : "[('hn', [2, 'batch', 24]), ('logits', ['batch', 'seq', 28])]";
        assertEquals(expected, output.strip());
    }

    /** An int8 file: the checker accepts it (its com.microsoft nodes are declared; their bodies are not checked). */
    @org.junit.jupiter.api.Test
    void anInt8FilePassesOnnxChecker() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "valid-int8", Cell.LSTM, 2, Implementation.BUILTIN);
        Path onnx = dir.resolve("valid-int8.onnx");
        new Exporter().export(ckpt, onnx, dev.charlm.contract.Precision.INT8);
        String check = "import sys, onnx\nm = onnx.load(sys.argv[1])\nonnx.checker.check_model(m)\n"
                + "print(sorted((o.domain, o.version) for o in m.opset_import))";
        Process p = new ProcessBuilder(PYTHON, "-c", check, onnx.toString()).redirectErrorStream(true).start();
        p.waitFor(120, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        assertEquals("[('', 17), ('com.microsoft', 1)]", output.strip());
    }
}
