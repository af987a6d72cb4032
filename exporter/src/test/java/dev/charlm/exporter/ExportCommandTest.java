package dev.charlm.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.trainer.checkpoint.Checkpoint;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.Implementation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one line on stderr, a non-zero exit, and no file left behind. */
class ExportCommandTest {

    @TempDir Path dir;

    record Outcome(int status, String out, String err) {}

    Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ExportCommand.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    void assertRefused(Path checkpoint, String fragment) throws Exception {
        Path onnx = dir.resolve("out.onnx");
        Outcome o = run(checkpoint.toString(), "-o", onnx.toString());
        assertEquals(2, o.status(), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().startsWith("charlm export: error: "), o.err());
        assertTrue(o.err().contains(fragment), o.err());
        assertFalse(Files.exists(onnx));
    }

    @Test
    void exportsAndReports() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "ok", Cell.GRU, 2, Implementation.BUILTIN);
        Outcome o = run(ckpt.toString(), "-o", dir.resolve("ok.onnx").toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("parity with DJL: max |diff|"), o.out());
        assertTrue(o.out().contains("held-out perplexity"), o.out());
        assertTrue(Files.size(dir.resolve("ok.onnx")) > 10_000);
    }

    @Test
    void missingCheckpoint() throws Exception {
        assertRefused(dir.resolve("nope"), "nope: no such checkpoint directory");
    }

    @Test
    void partialCheckpoint() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "partial", Cell.LSTM, 1, Implementation.BUILTIN);
        Files.delete(ckpt.resolve(Checkpoint.WEIGHTS));
        assertRefused(ckpt, "not a complete checkpoint (no weights.bin)");
    }

    @Test
    void configAndWeightsDisagree() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "disagree", Cell.LSTM, 2, Implementation.BUILTIN);
        Path config = ckpt.resolve(Checkpoint.CONFIG);
        Files.writeString(config, Files.readString(config).replace("\"charlm.hidden\": 24", "\"charlm.hidden\": 32"));
        assertRefused(ckpt, "config and weights disagree");
    }

    @Test
    void unknownCell() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "cell", Cell.LSTM, 1, Implementation.BUILTIN);
        Path config = ckpt.resolve(Checkpoint.CONFIG);
        Files.writeString(config, Files.readString(config).replace("\"lstm\"", "\"transformer\""));
        assertRefused(ckpt, "unknown cell 'transformer'");
    }

    @Test
    void unwritableOutput() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "unwritable", Cell.RNN, 1, Implementation.BUILTIN);
        Outcome o = run(ckpt.toString(), "-o", dir.resolve("no/such/dir/model.onnx").toString());
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("cannot write there"), o.err());
        Outcome d = run(ckpt.toString(), "-o", dir.toString());
        assertEquals(2, d.status(), d.err());
        assertTrue(d.err().contains("is a directory"), d.err());
    }

    /** Refused with one line and exit 2; the checkpoint's files are byte for byte as before. */
    private void assertOutputRefused(Path ckpt, String output, String fragment) throws Exception {
        java.util.Map<String, byte[]> before = new java.util.TreeMap<>();
        try (var files = Files.list(ckpt)) {
            for (Path f : files.toList()) {
                before.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        Outcome o = run(ckpt.toString(), "-o", output);
        assertEquals(2, o.status(), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains(fragment), o.err());
        java.util.Map<String, byte[]> after = new java.util.TreeMap<>();
        try (var files = Files.list(ckpt)) {
            for (Path f : files.toList()) {
                after.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, bytes) -> assertTrue(java.util.Arrays.equals(bytes, after.get(name)), name + " changed"));
    }

    @Test
    void anOutputInsideTheCheckpointIsRefused() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "self", Cell.LSTM, 1, Implementation.BUILTIN);
        for (String name : new String[] {Checkpoint.WEIGHTS, Checkpoint.CONFIG, Checkpoint.METRICS, "model.onnx"}) {
            assertOutputRefused(ckpt, ckpt.resolve(name).toString(), "is inside the checkpoint");
        }
        // The same file reached through a link from outside.
        Path link = Files.createSymbolicLink(dir.resolve("weights-link.bin"), ckpt.resolve(Checkpoint.WEIGHTS));
        assertOutputRefused(ckpt, link.toString(), "is inside the checkpoint");
        // ... and through a relative path with "..".
        assertOutputRefused(ckpt, ckpt.resolve("../self/" + Checkpoint.CONFIG).toString(), "is inside the checkpoint");
    }

    @Test
    void anOutputThatIsNotARegularFileIsRefused() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "special", Cell.GRU, 1, Implementation.BUILTIN);
        Path fifo = dir.resolve("pipe.onnx");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertOutputRefused(ckpt, fifo.toString(), "not a regular file");
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the pipe was replaced");
        Path target = Files.writeString(dir.resolve("precious.txt"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link.onnx"), target);
        assertOutputRefused(ckpt, link.toString(), "symbolic link");
        assertEquals("keep", Files.readString(target));
        assertTrue(Files.isSymbolicLink(link));
        // /proc/version is "regular" to stat but nothing can be written beside it.
        if (Files.exists(Path.of("/proc/version"))) {
            assertOutputRefused(ckpt, "/proc/version", "cannot write there");
        }
    }
}
