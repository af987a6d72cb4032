package dev.charlm.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.ModelContract;
import dev.charlm.contract.onnx.OnnxModel;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadingTest {

    @TempDir Path dir;

    static byte[] defaultBytes() throws Exception {
        try (InputStream in = CharModel.class.getResourceAsStream(CharModel.DEFAULT_MODEL_RESOURCE)) {
            return in.readAllBytes();
        }
    }

    @Test
    void loadsFromPathBytesStreamAndClasspath() throws Exception {
        byte[] bytes = defaultBytes();
        Path file = Files.write(dir.resolve("m.onnx"), bytes);
        try (CharModel a = CharModel.load(file);
                CharModel b = CharModel.load(bytes, "bytes", ModelOptions.defaults());
                CharModel c = CharModel.load(new ByteArrayInputStream(bytes), "stream", ModelOptions.defaults());
                CharModel d = CharModel.loadDefault()) {
            for (CharModel m : List.of(a, b, c, d)) {
                ModelInfo info = m.info();
                assertEquals(dev.charlm.contract.Cell.LSTM, info.cell());
                assertEquals(2, info.layers());
                assertEquals(256, info.hidden());
                assertEquals(28, info.vocabulary().size());
                assertEquals("<unk>", info.vocabulary().token(0));
                assertTrue(info.heldOutPerplexity().orElseThrow() < 4.19);
                assertEquals(Device.CPU, m.device());
            }
            assertEquals(file.toString(), a.info().source());
        }
    }

    @Test
    void refusesAFileThatIsNotOnnx() throws Exception {
        Path f = Files.writeString(dir.resolve("notes.onnx"), "these are my notes, not a model");
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> CharModel.load(f));
        assertTrue(e.getMessage().startsWith(f + ": not a valid ONNX model"), e.getMessage());
        assertEquals(f.toString(), e.source());
    }

    @Test
    void refusesEmptyAndBinaryFiles() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.onnx"));
        assertEquals(empty + ": file is empty, expected an ONNX model",
                assertThrows(InvalidModelException.class, () -> CharModel.load(empty)).getMessage());
        Path binary = Files.write(dir.resolve("random.onnx"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0, 7, 7, 7, 7});
        assertTrue(assertThrows(InvalidModelException.class, () -> CharModel.load(binary)).getMessage()
                .startsWith(binary + ": not a valid ONNX model"));
        assertThrows(NoSuchFileException.class, () -> CharModel.load(dir.resolve("missing.onnx")));
    }

    /** A valid ONNX graph (y = x + 1) with no charlm metadata. */
    static OnnxModel identityGraph() {
        return new OnnxModel("plain", 17)
                .input("x", OnnxModel.FLOAT, "n")
                .floatInitializer("one", new long[] {1}, new float[] {1f})
                .node("Add", List.of("x", "one"), List.of("y"))
                .output("y", OnnxModel.FLOAT, "n");
    }

    @Test
    void refusesOnnxWithoutCharlmMetadata() throws Exception {
        Path f = Files.write(dir.resolve("plain.onnx"), identityGraph().toByteArray());
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> CharModel.load(f));
        assertEquals(f + ": an ONNX model without charlm metadata (no charlm.format_version);"
                + " export it with charlm export", e.getMessage());
    }

    @Test
    void refusesOtherInputsAndOutputs() throws Exception {
        OnnxModel m = identityGraph()
                .metadata(ModelContract.KEY_FORMAT_VERSION, "1")
                .metadata(ModelContract.KEY_CELL, "gru")
                .metadata(ModelContract.KEY_LAYERS, "1")
                .metadata(ModelContract.KEY_HIDDEN, "4")
                .metadata(ModelContract.KEY_PREPROCESSING, "raw")
                .metadata(ModelContract.KEY_VOCAB, "[\"<unk>\",\"a\"]")
                .metadata(ModelContract.KEY_UNK_ID, "0");
        Path f = Files.write(dir.resolve("wrong-io.onnx"), m.toByteArray());
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> CharModel.load(f));
        assertEquals(f + ": inputs are [x], a gru charlm model has [h0, tokens]", e.getMessage());
    }

    @Test
    void refusesBrokenMetadata() throws Exception {
        OnnxModel m = identityGraph()
                .metadata(ModelContract.KEY_FORMAT_VERSION, "1")
                .metadata(ModelContract.KEY_CELL, "lstm")
                .metadata(ModelContract.KEY_LAYERS, "two");
        Path f = Files.write(dir.resolve("broken.onnx"), m.toByteArray());
        assertEquals(f + ": charlm.layers must be an integer, got 'two'",
                assertThrows(InvalidModelException.class, () -> CharModel.load(f)).getMessage());
    }

    @Test
    void cudaWithoutAGpuFallsBackToCpu() throws Exception {
        try (CharModel m = CharModel.loadDefault(ModelOptions.builder().device(Device.CUDA).build())) {
            assertEquals(Device.CPU, m.device());
            assertEquals(3, m.newSession().generate("time traveller", GenerationOptions.greedy(3), null).characters());
        }
    }
}
