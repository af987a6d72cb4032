package dev.charlm.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.Cell;
import dev.charlm.contract.ModelContract;
import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.Precision;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import dev.charlm.contract.onnx.OnnxModel;
import dev.charlm.sdk.BuiltInModel;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.InvalidModelException;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.trainer.model.Implementation;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Int8 models: made from a checkpoint or a file, checked before they are written, refused when malformed. */
class Int8Test {

    @TempDir static Path dir;
    static Path fp32;
    static final Path DATA = Path.of(System.getProperty("charlm.shared.data"));

    @BeforeAll
    static void builtIn() throws Exception {
        fp32 = dir.resolve("default-model.onnx");
        try (InputStream in = CharModel.class.getResourceAsStream(BuiltInModel.DEFAULT.resource(Precision.FP32))) {
            Files.copy(in, fp32);
        }
    }

    record Run(int status, String out, String err) {}

    static Run quantize(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = QuantizeCommand.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theBuiltInModelsTwinIsAQuarterOfTheSizeAndScoresTheSame() throws Exception {
        Path int8 = dir.resolve("default-int8.onnx");
        Run r = quantize(fp32.toString(), "-o", int8.toString(), "--check-data",
                DATA.resolve("war_of_the_worlds.txt").toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.size(int8) <= 0.30 * Files.size(fp32), Files.size(int8) + " bytes");
        try (CharModel a = CharModel.load(fp32, ModelOptions.forScoring());
                CharModel b = CharModel.load(int8, ModelOptions.forScoring())) {
            assertEquals(Precision.INT8, b.info().precision());
            assertEquals(Precision.FP32, a.info().precision());
            assertTrue(b.info().properties().get(ModelContract.KEY_QUANTIZED_FROM).startsWith("sha256:"
                    + Exporter.sha256(fp32) + " of default-model.onnx"));
            for (String novel : List.of("pride_and_prejudice.txt", "war_of_the_worlds.txt")) {
                ScoreReport sa = a.newScorer().score(DATA.resolve(novel));
                ScoreReport sb = b.newScorer().score(DATA.resolve(novel));
                assertEquals(sa.predictions(), sb.predictions());
                assertEquals(sa.perplexity(), sb.perplexity(), sa.perplexity() * Quantizer.TOLERANCE, novel);
            }
            // The greedy text of an int8 model is its own, but a text nonetheless.
            assertEquals(40, b.newSession().generate("time traveller",
                    dev.charlm.sdk.GenerationOptions.greedy(40), null).characters());
        }
        // The twin shipped in the sdk is, byte for byte, what quantize makes of the shipped fp32 file.
        try (InputStream in = CharModel.class.getResourceAsStream(BuiltInModel.DEFAULT.resource(Precision.INT8))) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(int8), in.readAllBytes());
        }
    }

    @Test
    void exportWritesInt8OnlyAfterEveryCheck() throws Exception {
        Path ckpt = Fixtures.checkpoint(dir, "int8-export", Cell.LSTM, 2, Implementation.BUILTIN);
        Path out = dir.resolve("int8-export.onnx");
        Exporter.Result r = new Exporter().export(ckpt, out, Precision.INT8);
        assertTrue(r.parity().passed());
        assertTrue(r.int8().orElseThrow().passed(), r.int8().toString());
        try (CharModel m = CharModel.load(out)) {
            assertEquals(Precision.INT8, m.info().precision());
            assertEquals(r.int8().get().int8Perplexity(), m.info().heldOutPerplexity().orElseThrow(), 1e-5);
        }
        Path gru = Fixtures.checkpoint(dir, "int8-gru", Cell.GRU, 1, Implementation.BUILTIN);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ExportCommand.execute(new String[] {gru.toString(), "-o", dir.resolve("gru8.onnx").toString(),
                "--precision", "int8"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("a gru model has no int8 kernel"), err.toString());
        assertFalse(Files.exists(dir.resolve("gru8.onnx")));
    }

    @Test
    void quantizeRefusesWhatItCannotMakeInOneLine() throws Exception {
        Path int8 = dir.resolve("twice.onnx");
        assertEquals(0, quantize(fp32.toString(), "-o", int8.toString(), "--check-data",
                DATA.resolve("timemachine.txt").toString()).status());
        Path text = Files.writeString(dir.resolve("notes.onnx"), "not a model");
        String[][] cases = {
            {fp32.toString(), "-o", fp32.toString()},
            {text.toString(), "-o", dir.resolve("x.onnx").toString()},
            {int8.toString(), "-o", dir.resolve("y.onnx").toString()},
            {dir.resolve("missing.onnx").toString(), "-o", dir.resolve("z.onnx").toString()},
        };
        String[] expected = {"is the model being quantized", "not a charlm model", "is already int8", "no such model file"};
        for (int i = 0; i < cases.length; i++) {
            Run r = quantize(cases[i]);
            assertEquals(2, r.status(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("charlm quantize: error: ") && r.err().contains(expected[i]), r.err());
        }
        try (InputStream in = CharModel.class.getResourceAsStream(BuiltInModel.DEFAULT.resource(Precision.FP32))) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(in.readAllBytes(), Files.readAllBytes(fp32),
                    "the input was left as it was");
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "a temporary file was left");
        }
    }

    /** A tiny one-layer int8 model built in code, with one thing wrong. */
    static byte[] tinyInt8(boolean importDomain, int scaleRows) {
        Vocabulary vocab = Vocabulary.build("abc ", Preprocessing.RAW);
        int v = vocab.size();
        int h = 4;
        ModelMetadata md = new ModelMetadata(Cell.LSTM, 1, h, Preprocessing.RAW, vocab, "builtin")
                .withPrecision(Precision.INT8, "test");
        OnnxModel m = new OnnxModel("tiny", 17);
        if (importDomain) {
            m.importDomain(ModelContract.CONTRIB_DOMAIN, 1);
        }
        md.toProperties().forEach(m::metadata);
        m.input(ModelContract.TOKENS, OnnxModel.INT64, "batch", "seq");
        m.input(ModelContract.H0, OnnxModel.FLOAT, 1, "batch", h);
        m.input(ModelContract.C0, OnnxModel.FLOAT, 1, "batch", h);
        float[] eye = new float[v * v];
        for (int i = 0; i < v; i++) {
            eye[i * v + i] = 1;
        }
        m.floatInitializer("eye", new long[] {v, v}, eye);
        m.node("Gather", List.of("eye", "tokens"), List.of("oh"), Map.of("axis", 0L));
        m.node("Transpose", List.of("oh"), List.of("x"), Map.of("perm", new long[] {1, 0, 2}));
        m.int8Initializer("W", new long[] {1, v, 4 * h}, new byte[v * 4 * h]);
        m.int8Initializer("R", new long[] {1, h, 4 * h}, new byte[h * 4 * h]);
        m.floatInitializer("B", new long[] {1, 8 * h}, new float[8 * h]);
        m.floatInitializer("Ws", new long[] {1, scaleRows}, new float[scaleRows]);
        m.int8Initializer("Wz", new long[] {1, scaleRows}, new byte[scaleRows]);
        m.floatInitializer("Rs", new long[] {1, 4 * h}, new float[4 * h]);
        m.int8Initializer("Rz", new long[] {1, 4 * h}, new byte[4 * h]);
        List<String> in = List.of("x", "W", "R", "B", "", "h0", "c0", "", "Ws", "Wz", "Rs", "Rz");
        if (importDomain) {
            m.node(ModelContract.CONTRIB_DOMAIN, "DynamicQuantizeLSTM", in, List.of("y", "hn", "cn"),
                    Map.of("hidden_size", (long) h));
        } else {
            m.node("DynamicQuantizeLSTM", in, List.of("y", "hn", "cn"), Map.of("hidden_size", (long) h));
        }
        return m.toByteArray();
    }

    @Test
    void malformedQuantizedFilesAreRefusedNamingTheProblem() {
        InvalidModelException scale = assertThrows(InvalidModelException.class,
                () -> CharModel.load(tinyInt8(true, 7), "scales.onnx", ModelOptions.defaults()));
        assertEquals("scales.onnx: scale Ws has shape [1, 7]; the weights W need [1, 16] (one per output row) or [1]"
                + " of float", scale.getMessage());
        InvalidModelException domain = assertThrows(InvalidModelException.class,
                () -> CharModel.load(tinyInt8(false, 16), "domain.onnx", ModelOptions.defaults()));
        assertTrue(domain.getMessage().startsWith("domain.onnx: "), domain.getMessage());
        assertTrue(domain.getMessage().contains("DynamicQuantizeLSTM"), domain.getMessage());
    }
}
