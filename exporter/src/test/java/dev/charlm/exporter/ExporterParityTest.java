package dev.charlm.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.charlm.contract.JsonStrings;
import dev.charlm.contract.ModelContract;
import dev.charlm.trainer.checkpoint.Checkpoint;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.Implementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ONNX Runtime on the exported file equals DJL on the checkpoint: a random batch from a random
 * non-zero state, then 200 single-token steps carrying the state; max |diff| <= 1e-4.
 */
class ExporterParityTest {

    @TempDir static Path dir;

    @ParameterizedTest(name = "{0} x{1} {2}")
    @CsvSource({"LSTM,1,BUILTIN", "LSTM,3,BUILTIN", "GRU,1,BUILTIN", "GRU,3,BUILTIN", "RNN,1,BUILTIN",
            "RNN,3,BUILTIN", "LSTM,3,SCRATCH", "GRU,3,SCRATCH", "RNN,1,SCRATCH"})
    void exportedModelMatchesDjl(Cell cell, int layers, Implementation impl) throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, cell + "-" + layers + "-" + impl, cell, layers, impl);
        Path onnx = dir.resolve(cell + "-" + layers + "-" + impl + ".onnx");
        Exporter.Result r = new Exporter().export(ckpt, onnx);
        assertTrue(r.parity().passed(), r.parity().toString());
        assertTrue(r.parity().maxLogitDiff() <= ParityCheck.TOLERANCE, r.parity().toString());
        assertTrue(r.parity().maxStateDiff() <= ParityCheck.TOLERANCE, r.parity().toString());
        assertEquals(ParityCheck.STEPS + 1, r.parity().comparisons());
        // The frozen model's held-out score equals DJL's on the same text.
        assertEquals(r.djlHeldOut().perplexity(), r.heldOut().perplexity(), r.djlHeldOut().perplexity() * 1e-4);
        assertTrue(Files.size(onnx) > 0);
    }

    /** Hidden sizes around the vocabulary's (28) and the small ones where DJL's reference used to be wrong. */
    @ParameterizedTest(name = "{0} x{1} hidden {2}")
    @CsvSource({"LSTM,1,8", "LSTM,2,16", "LSTM,1,27", "LSTM,2,28", "LSTM,1,29", "LSTM,2,32", "GRU,2,8", "GRU,1,16",
            "RNN,2,8", "RNN,1,16"})
    void everyWidthExportsFaithfully(Cell cell, int layers, int hidden) throws Exception {
        String name = cell + "-" + layers + "-h" + hidden;
        Path ckpt = Fixtures.checkpoint(dir, name, cell, layers, hidden, Implementation.BUILTIN);
        Exporter.Result r = new Exporter().export(ckpt, dir.resolve(name + ".onnx"));
        assertTrue(r.parity().passed(), r.parity().toString());
        assertEquals(r.djlHeldOut().perplexity(), r.heldOut().perplexity(), r.djlHeldOut().perplexity() * 1e-4);
    }

    @ParameterizedTest
    @CsvSource({"LSTM", "GRU"})
    void pytorchGateOrderIsCaughtAndNothingIsWritten(Cell cell) throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "wrong-" + cell, cell, 2, Implementation.BUILTIN);
        Path onnx = dir.resolve("wrong-" + cell + ".onnx");
        Exporter.ParityException e = assertThrows(Exporter.ParityException.class,
                () -> new Exporter(GateOrder.PYTORCH).export(ckpt, onnx));
        assertTrue(e.getMessage().startsWith("parity check failed"), e.getMessage());
        assertFalse(Files.exists(onnx));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".wrong-")), "temp file left");
        }
    }

    @Test
    void metadataDescribesTheModel() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "meta", Cell.LSTM, 2, Implementation.BUILTIN);
        Path onnx = dir.resolve("meta.onnx");
        Exporter.Result r = new Exporter().export(ckpt, onnx);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            Map<String, String> md = s.getMetadata().getCustomMetadata();
            assertEquals("1", md.get(ModelContract.KEY_FORMAT_VERSION));
            assertEquals("lstm", md.get(ModelContract.KEY_CELL));
            assertEquals("2", md.get(ModelContract.KEY_LAYERS));
            assertEquals("24", md.get(ModelContract.KEY_HIDDEN));
            assertEquals("d2l", md.get(ModelContract.KEY_PREPROCESSING));
            assertEquals("0", md.get(ModelContract.KEY_UNK_ID));
            assertEquals(Checkpoint.readConfig(ckpt).vocabulary().tokens(),
                    JsonStrings.decode(md.get(ModelContract.KEY_VOCAB)));
            assertTrue(md.get(ModelContract.KEY_TRAINING_DATA).contains("\"file\":\"slice.txt\""));
            assertEquals(r.heldOut().perplexity(),
                    Double.parseDouble(md.get(ModelContract.KEY_HELDOUT_PERPLEXITY)), 1e-5);
            assertEquals(java.util.Set.of(ModelContract.TOKENS, ModelContract.H0, ModelContract.C0), s.getInputNames());
            assertEquals(java.util.Set.of(ModelContract.LOGITS, ModelContract.HN, ModelContract.CN), s.getOutputNames());
        }
    }
}
