package dev.charlm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.charlm.sdk.GenerationSession;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@QuarkusMainTest
class GenerateCommandTest {

    @Test
    @Launch({"generate", "--length", "50"})
    void defaultIsTheChaptersGreedySample(LaunchResult result) throws Exception {
        try (CharModel model = CharModel.loadDefault()) {
            String expected = "time traveller" + model.newSession()
                    .generate("time traveller", GenerationOptions.greedy(50), null).text();
            assertEquals(expected, result.getOutput().strip());
        }
    }

    @Test
    @Launch(value = {"generate", "--prompt", "123", "--length", "5"}, exitCode = 2)
    void aPromptWithNothingLeftIsRefused(LaunchResult result) {
        assertEquals("charlm generate: error: --prompt '123' is empty after d2l preprocessing",
                result.getErrorOutput().strip());
    }

    @Test
    @Launch(value = {"generate", "--top-p", "1.5"}, exitCode = 2)
    void badSamplingOptionsAreOneLine(LaunchResult result) {
        assertEquals("charlm generate: error: --top-p must be in (0, 1], got 1.5", result.getErrorOutput().strip());
    }

    @Test
    @Launch(value = {"generate", "--model", "/no/such/model.onnx"}, exitCode = 2)
    void missingModelIsOneLine(LaunchResult result) {
        assertEquals("charlm generate: error: /no/such/model.onnx: no such model file (nor a built-in model's name:"
                + " default, large)", result.getErrorOutput().strip());
    }

    @Test
    @Launch(value = {"generate", "--precision", "int8", "--length", "40"})
    void theBuiltInModelsInt8TwinGenerates(LaunchResult result) throws Exception {
        try (dev.charlm.sdk.CharModel m = dev.charlm.sdk.CharModel.loadBuiltIn(dev.charlm.sdk.BuiltInModel.DEFAULT,
                dev.charlm.contract.Precision.INT8, dev.charlm.sdk.ModelOptions.defaults())) {
            String expected = "time traveller" + m.newSession().generate("time traveller",
                    dev.charlm.sdk.GenerationOptions.greedy(40), null).text();
            assertEquals(expected, result.getOutput().strip());
        }
    }

    @Test
    @Launch(value = {"generate", "--model", "large", "--precision", "int8", "--length", "40"})
    void theLargeModelsInt8TwinGenerates(LaunchResult result) throws Exception {
        try (dev.charlm.sdk.CharModel m = dev.charlm.sdk.CharModel.loadBuiltIn(dev.charlm.sdk.BuiltInModel.LARGE,
                dev.charlm.contract.Precision.INT8, dev.charlm.sdk.ModelOptions.defaults())) {
            String expected = "time traveller" + m.newSession().generate("time traveller",
                    dev.charlm.sdk.GenerationOptions.greedy(40), null).text();
            assertEquals(expected, result.getOutput().strip());
        }
    }

    @Test
    @Launch(value = {"generate", "--model", "pom.xml", "--precision", "int8"}, exitCode = 2)
    void aPrecisionIsForBuiltInModelsOnly(LaunchResult result) {
        assertEquals("charlm generate: error: --precision picks a built-in model's twin; pom.xml is a file and is taken"
                + " as it is", result.getErrorOutput().strip());
    }

    /** Records when each flush happens, relative to how much had been written. */
    static final class FlushRecorder extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> sizeAtFlush = new ArrayList<>();

        @Override
        public void write(int b) {
            bytes.write(b);
        }

        @Override
        public void flush() {
            sizeAtFlush.add(bytes.size());
        }
    }

    static int run(GenerateCommand command, String... args) {
        CommandLine cl = new CommandLine(command);
        return cl.execute(args);
    }

    @Test
    void streamingFlushesEveryCharacterAsItIsMade() {
        FlushRecorder recorder = new FlushRecorder();
        GenerateCommand command = new GenerateCommand();
        command.out = new PrintStream(recorder, false, StandardCharsets.UTF_8);
        assertEquals(0, run(command, "--length", "30"));
        // The prompt, then one flush per generated character, then the final newline.
        List<Integer> sizes = recorder.sizeAtFlush;
        int prompt = "time traveller".length();
        assertEquals(prompt, sizes.get(0));
        for (int i = 1; i <= 30; i++) {
            assertEquals(prompt + i, sizes.get(i), "flush " + i);
        }
    }

    @Test
    void interactiveModeKeepsTheStateAcrossLines() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GenerateCommand command = new GenerateCommand();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.in = new ByteArrayInputStream("the time\nand\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(0, run(command, "--interactive", "--length", "20"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();

        try (CharModel model = CharModel.loadDefault()) {
            GenerationSession s = model.newSession();
            String first = s.generate("the time", GenerationOptions.greedy(20), null).text();
            String second = s.generate("and", GenerationOptions.greedy(20), null).text();
            assertEquals(List.of(first, second), lines);
            // A fresh session on the second line alone says something else: the state carried.
            String fresh = model.newSession().generate("and", GenerationOptions.greedy(20), null).text();
            assertTrue(!fresh.equals(second), "second line ignored the first: " + fresh);
        }
    }

    @Test
    @Launch(value = {"generate", "--model", "/dev/zero"}, exitCode = 2)
    void aDeviceAsTheModelIsRefusedAtOnce(LaunchResult result) {
        assertEquals("charlm generate: error: /dev/zero: is not a regular file (a pipe, socket or device),"
                + " expected an ONNX model file", result.getErrorOutput().strip());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aPipeAsTheModelIsRefusedNotWaitedOn(io.quarkus.test.junit.main.QuarkusMainLauncher launcher,
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path fifo = dir.resolve("model.onnx");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        LaunchResult r = launcher.launch("generate", "--model", fifo.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.getErrorOutput().contains("is not a regular file"), r.getErrorOutput());
    }

    @Test
    void aHugeFileThatIsNotAModelIsRefusedWithoutReadingIt(io.quarkus.test.junit.main.QuarkusMainLauncher launcher,
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path big = dir.resolve("big.onnx");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GB of zeros on no disk space
        }
        LaunchResult r = launcher.launch("generate", "--model", big.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.getErrorOutput().contains("larger than 2 GB"), r.getErrorOutput());
        java.nio.file.Files.write(big, "these are notes".getBytes());
        LaunchResult notes = launcher.launch("generate", "--model", big.toString());
        assertEquals(2, notes.exitCode());
        assertTrue(notes.getErrorOutput().contains("not a valid ONNX model"), notes.getErrorOutput());
    }

    @Test
    @Launch(value = {"generate", "--length", "-3"}, exitCode = 2)
    void optionsAreNamedAsTyped(LaunchResult result) {
        assertEquals("charlm generate: error: --length must be >= 0, got -3", result.getErrorOutput().strip());
    }
}
