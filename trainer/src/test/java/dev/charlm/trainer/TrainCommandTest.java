package dev.charlm.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one clear line on stderr, exit status 2, and no checkpoint left behind. */
class TrainCommandTest {

    @TempDir Path dir;

    record Outcome(int status, String out, String err) {}

    Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TrainCommand.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    void assertRefused(String expectedFragment, String... args) throws Exception {
        Path out = dir.resolve("ckpt");
        String[] full = Stream.concat(Stream.of(args), Stream.of("--out", out.toString())).toArray(String[]::new);
        Outcome o = run(full);
        assertEquals(2, o.status(), o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line expected: " + o.err());
        assertTrue(o.err().startsWith("charlm train: error: "), o.err());
        assertTrue(o.err().contains(expectedFragment), o.err());
        assertFalse(Files.exists(out), "a checkpoint was written for bad input");
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".ckpt")), "temp dir left");
        }
    }

    @Test
    void missingFile() throws Exception {
        assertRefused("missing.txt: no such file or directory", "--data", dir.resolve("missing.txt").toString());
    }

    @Test
    void emptyFile() throws Exception {
        Path f = Files.createFile(dir.resolve("empty.txt"));
        assertRefused(f + ": file is empty", "--data", f.toString());
    }

    @Test
    void binaryFile() throws Exception {
        Path f = Files.write(dir.resolve("img.txt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 1});
        assertRefused(f + ": looks binary", "--data", f.toString());
    }

    @Test
    void nonUtf8File() throws Exception {
        Path f = Files.write(dir.resolve("latin1.txt"), "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1));
        assertRefused(f + ": is not valid UTF-8", "--data", f.toString());
    }

    @Test
    void unknownCell() throws Exception {
        assertRefused("unknown cell 'transformer' (expected lstm, gru or rnn)", "--cell", "transformer");
    }

    @Test
    void nonPositiveSizes() throws Exception {
        assertRefused("--hidden must be positive, got 0", "--hidden", "0");
        assertRefused("--layers must be positive, got -1", "--layers", "-1");
        assertRefused("--batch-size must be positive, got 0", "--batch-size", "0");
        assertRefused("--num-steps must be positive, got 0", "--num-steps", "0");
        assertRefused("--epochs must be positive, got 0", "--epochs", "0");
    }

    @Test
    void notANumber() throws Exception {
        assertRefused("--hidden", "--hidden", "many");
    }

    @Test
    void unwritableOut() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Outcome o = run("--out", file.resolve("sub").toString(), "--epochs", "1");
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().startsWith("charlm train: error: " + file.resolve("sub") + ": cannot write there"), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
    }

    @Test
    void outThatIsSomeOtherDirectoryIsNotOverwritten() throws Exception {
        Path other = Files.createDirectory(dir.resolve("photos"));
        Files.writeString(other.resolve("keep.jpg"), "x");
        Outcome o = run("--out", other.toString(), "--epochs", "1");
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("is not a checkpoint; refusing to overwrite it"), o.err());
        assertTrue(Files.exists(other.resolve("keep.jpg")));
    }

    /** The case: a project directory that happens to hold a config.json. */
    @Test
    void aDirectoryWithAForeignConfigJsonIsRefusedAndLeftAsItWas() throws Exception {
        Path project = Files.createDirectories(dir.resolve("p/src"));
        Path p = project.getParent();
        Files.writeString(p.resolve("config.json"), "{}");
        Files.writeString(p.resolve("thesis.txt"), "x");
        Files.writeString(project.resolve("Main.java"), "class Main {}");
        Outcome o = run("--epochs", "1", "--out", p.toString());
        assertEquals(2, o.status(), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains("is not a checkpoint; refusing to overwrite it"), o.err());
        assertEquals("{}", Files.readString(p.resolve("config.json")));
        assertEquals("x", Files.readString(p.resolve("thesis.txt")));
        assertEquals("class Main {}", Files.readString(project.resolve("Main.java")));
        try (Stream<Path> s = Files.list(p)) {
            assertEquals(3, s.count(), "something was added to the refused directory");
        }
    }

    /** Unset options take the chosen recipe with Adam and the chapter's values with SGD; set ones win. */
    @Test
    void defaultsFollowTheOptimizer() throws Exception {
        Path text = Files.writeString(dir.resolve("tiny.txt"), "the time traveller smiled at us and went on. ".repeat(30));
        String[] tiny = {"--data", text.toString(), "--hidden", "8", "--layers", "1", "--batch-size", "4",
                "--num-steps", "8", "--epochs", "1"};
        assertEquals("adam 0.005 cosine 0.05 0.999", settings(tiny, "adam"));
        assertEquals("sgd 2.0 constant 0.0 0.0", settings(tiny, "sgd", "--optimizer", "sgd"));
        assertEquals("sgd 0.5 cosine 0.0 0.9", settings(tiny, "sgd-set", "--optimizer", "sgd", "--lr", "0.5",
                "--lr-schedule", "cosine", "--average", "0.9"));
    }

    private String settings(String[] base, String name, String... extra) throws Exception {
        Path ckpt = dir.resolve(name);
        String[] args = Stream.of(Stream.of(base), Stream.of(extra), Stream.of("--out", ckpt.toString()))
                .flatMap(x -> x).toArray(String[]::new);
        Outcome o = run(args);
        assertEquals(0, o.status(), o.err());
        com.google.gson.JsonObject s = com.google.gson.JsonParser.parseString(
                Files.readString(ckpt.resolve("metrics.json"))).getAsJsonObject().getAsJsonObject("settings");
        return String.join(" ", s.get("optimizer").getAsString(), String.valueOf(s.get("lr").getAsFloat()),
                s.get("lr_schedule").getAsString(), String.valueOf(s.get("weight_decay").getAsFloat()),
                String.valueOf(s.get("averaging").getAsFloat()));
    }

    /** A real checkpoint directory: training into it again replaces charlm's files only. */
    @Test
    void filesBesideACheckpointSurviveRetrainingAndResuming() throws Exception {
        Path text = Files.writeString(dir.resolve("tiny.txt"),
                "the time traveller for so it will be convenient to speak of him was expounding a recondite"
                        + " matter to us his grey eyes shone and twinkled and his usually pale face was flushed\n"
                                .repeat(12));
        Path ckpt = dir.resolve("ckpt");
        String[] tiny = {"--data", text.toString(), "--hidden", "8", "--layers", "1", "--batch-size", "4",
                "--num-steps", "8", "--out", ckpt.toString()};
        Outcome first = run(Stream.concat(Stream.of(tiny), Stream.of("--epochs", "1")).toArray(String[]::new));
        assertEquals(0, first.status(), first.err());
        Files.writeString(ckpt.resolve("notes.txt"), "lr 2 was too high");
        Files.createDirectories(ckpt.resolve("exports"));
        Files.writeString(ckpt.resolve("exports/model.onnx"), "not really a model");
        Outcome again = run(Stream.concat(Stream.of(tiny), Stream.of("--epochs", "1")).toArray(String[]::new));
        assertEquals(0, again.status(), again.err());
        Outcome resumed = run("--resume", ckpt.toString(), "--epochs", "2");
        assertEquals(0, resumed.status(), resumed.err());
        assertEquals("lr 2 was too high", Files.readString(ckpt.resolve("notes.txt")));
        assertEquals("not really a model", Files.readString(ckpt.resolve("exports/model.onnx")));
        assertTrue(Files.exists(ckpt.resolve("checkpoint.json")));
    }

    @Test
    void resumeRefusesModelOptions() throws Exception {
        Outcome o = run("--resume", dir.toString(), "--cell", "gru");
        assertEquals(2, o.status());
        assertTrue(o.err().contains("drop --cell"), o.err());
    }

    @Test
    void resumeRefusesEveryOptionItDoesNotTakeWhereverItIsDeclared() throws Exception {
        // Options of the mixins and options added later are found from the command's own spec.
        for (String[] extra : new String[][] {{"--checkpoint-every", "100"}, {"--weight-decay", "0.1"},
                {"--dropout", "0.2"}, {"--strip-front-matter"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("--resume", dir.toString()));
            args.addAll(List.of(extra));
            Outcome o = run(args.toArray(String[]::new));
            assertEquals(2, o.status(), o.err());
            assertTrue(o.err().strip().endsWith("drop " + extra[0]), o.err());
        }
    }

    @Test
    void aValueTheSettingsRefuseIsNamedByItsOption() throws Exception {
        // The rules live in TrainingSettings and TrainingRequest; the message names the option.
        assertRefused("--weight-decay must be in [0, 1), got 2.0", "--weight-decay", "2");
        assertRefused("--lr must be positive, got -1.0", "--lr", "-1");
        assertRefused("--holdout must be in (0, 1), got 1.5", "--holdout", "1.5");
        assertRefused("--average must be in [0, 1), got 1.0", "--average", "1");
        assertRefused("--dropout must be in [0, 1), got 1.0", "--dropout", "1");
        assertRefused("--checkpoint-every must be >= 0, got -3", "--checkpoint-every", "-3");
        assertRefused("Invalid value for option '--optimizer': unknown optimizer", "--optimizer", "adagrad");
    }
}
