package dev.charlm.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint directory's write protocol: whole generations, recoverable, owner-only. */
class CheckpointFilesTest {

    @TempDir Path dir;

    private static final class Crash extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private static Map<String, byte[]> generation(String tag) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(Checkpoint.CONFIG, ("{\"charlm.format_version\": 1, \"gen\": \"" + tag + "\"}").getBytes(StandardCharsets.UTF_8));
        files.put(Checkpoint.WEIGHTS, ("CHARLMT1 weights " + tag).getBytes(StandardCharsets.UTF_8));
        files.put(Checkpoint.METRICS, ("{\"gen\": \"" + tag + "\"}").getBytes(StandardCharsets.UTF_8));
        return files;
    }

    private static byte[] read(Path ckpt, String name) throws IOException {
        return Files.readAllBytes(CheckpointFiles.resolve(ckpt, name));
    }

    /** Every step of the protocol, in order, as a complete write reports them. */
    private List<String> steps() throws IOException {
        Path probe = dir.resolve("probe");
        CheckpointFiles.write(probe, generation("a"), 1);
        List<String> steps = new ArrayList<>();
        CheckpointFiles.write(probe, generation("b"), 2, steps::add);
        return steps;
    }

    @Test
    void aCrashAtAnyStepLeavesOneCompleteGenerationAndTheNextWriteSucceeds() throws IOException {
        List<String> steps = steps();
        assertTrue(steps.size() >= 7, steps.toString());
        for (String crashAt : steps) {
            Path ckpt = dir.resolve("crash-" + steps.indexOf(crashAt));
            CheckpointFiles.write(ckpt, generation("a"), 1);
            assertThrows(Crash.class, () -> CheckpointFiles.write(ckpt, generation("b"), 2, step -> {
                if (step.equals(crashAt)) {
                    throw new Crash();
                }
            }));
            String expected = steps.indexOf(crashAt) >= steps.indexOf("committed") ? "b" : "a";
            for (Map.Entry<String, byte[]> f : generation(expected).entrySet()) {
                assertArrayEquals(f.getValue(), read(ckpt, f.getKey()), "crash at '" + crashAt + "': " + f.getKey());
            }
            // The interrupted directory is still charlm's, and the next generation lands whole.
            assertTrue(CheckpointFiles.isCheckpoint(ckpt), crashAt);
            CheckpointFiles.write(ckpt, generation("c"), 3);
            for (Map.Entry<String, byte[]> f : generation("c").entrySet()) {
                assertArrayEquals(f.getValue(), read(ckpt, f.getKey()), "after crash at '" + crashAt + "': " + f.getKey());
            }
        }
    }

    @Test
    void twoInterruptedWritesInARowStillLeaveTheCommittedGeneration() throws IOException {
        Path ckpt = dir.resolve("twice");
        CheckpointFiles.write(ckpt, generation("a"), 1);
        for (String tag : List.of("b", "c")) {
            assertThrows(Crash.class, () -> CheckpointFiles.write(ckpt, generation(tag), 2, step -> {
                if (step.equals("swapped " + Checkpoint.METRICS)) {
                    throw new Crash();
                }
            }));
        }
        for (Map.Entry<String, byte[]> f : generation("a").entrySet()) {
            assertArrayEquals(f.getValue(), read(ckpt, f.getKey()), f.getKey());
        }
    }

    @Test
    void filesCharlmDidNotWriteAreKept() throws IOException {
        Path ckpt = dir.resolve("mine");
        CheckpointFiles.write(ckpt, generation("a"), 1);
        Files.writeString(ckpt.resolve("notes.txt"), "my notes");
        Files.createDirectories(ckpt.resolve("exports"));
        Files.writeString(ckpt.resolve("exports/model.onnx"), "model");
        CheckpointFiles.write(ckpt, generation("b"), 2);
        assertEquals("my notes", Files.readString(ckpt.resolve("notes.txt")));
        assertEquals("model", Files.readString(ckpt.resolve("exports/model.onnx")));
        try (var s = Files.list(ckpt)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".prev")
                    || p.getFileName().toString().contains(".tmp")), "leftovers after a complete write");
        }
    }

    @Test
    void aDirectoryIsRecognisedOnlyPositively() throws IOException {
        Path foreign = Files.createDirectories(dir.resolve("project"));
        Files.writeString(foreign.resolve(Checkpoint.CONFIG), "{}");
        Files.writeString(foreign.resolve("thesis.txt"), "x");
        assertFalse(CheckpointFiles.isCheckpoint(foreign));
        assertThrows(IOException.class, () -> CheckpointFiles.write(foreign, generation("a"), 1));
        assertEquals("{}", Files.readString(foreign.resolve(Checkpoint.CONFIG)));
        assertTrue(Files.exists(foreign.resolve("thesis.txt")));

        // A checkpoint from before records existed: charlm config beside a charlm tensor file.
        Path legacy = Files.createDirectories(dir.resolve("legacy"));
        Files.write(legacy.resolve(Checkpoint.CONFIG), generation("old").get(Checkpoint.CONFIG));
        Files.write(legacy.resolve(Checkpoint.WEIGHTS), generation("old").get(Checkpoint.WEIGHTS));
        assertTrue(CheckpointFiles.isCheckpoint(legacy));
        assertArrayEquals(generation("old").get(Checkpoint.WEIGHTS), read(legacy, Checkpoint.WEIGHTS));
    }

    @Test
    void aBareRecordDoesNotMakeAnotherProgramsFilesCharlms() throws IOException {
        // What a run stopped by a full disk leaves: the claiming record, listing nothing; then
        // another program writes its own config.json and weights.bin there.
        Path shared = dir.resolve("shared");
        Files.createDirectories(shared);
        Files.writeString(shared.resolve("checkpoint.json"),
                "{\"format\": \"charlm-checkpoint\", \"version\": 1, \"epoch\": 0, \"files\": {}}");
        Files.writeString(shared.resolve(Checkpoint.CONFIG), "{\"their\": \"config\"}");
        Files.writeString(shared.resolve(Checkpoint.WEIGHTS), "their weights");
        assertEquals(List.of(Checkpoint.CONFIG, Checkpoint.WEIGHTS), CheckpointFiles.foreignFiles(shared));
        IOException e = assertThrows(IOException.class, () -> CheckpointFiles.write(shared, generation("a"), 1));
        assertTrue(e.getMessage().contains("config.json, weights.bin, which its checkpoint record does not list"),
                e.getMessage());
        CheckpointException early = assertThrows(CheckpointException.class, () -> Checkpoint.checkWritable(shared));
        assertTrue(early.getMessage().contains("refusing to overwrite them"), early.getMessage());
        assertEquals("{\"their\": \"config\"}", Files.readString(shared.resolve(Checkpoint.CONFIG)));
        assertEquals("their weights", Files.readString(shared.resolve(Checkpoint.WEIGHTS)));
        try (var files = Files.list(shared)) {
            assertEquals(3, files.count(), "nothing was added beside them");
        }
    }

    @Test
    void aCheckpointFromBeforeRecordsIsStillRewritten() throws IOException {
        Path legacy = Files.createDirectories(dir.resolve("legacy-rewrite"));
        Files.write(legacy.resolve(Checkpoint.CONFIG), generation("old").get(Checkpoint.CONFIG));
        Files.write(legacy.resolve(Checkpoint.WEIGHTS), generation("old").get(Checkpoint.WEIGHTS));
        Files.writeString(legacy.resolve(Checkpoint.OPTIMIZER), "old moments");
        assertTrue(CheckpointFiles.foreignFiles(legacy).isEmpty());
        CheckpointFiles.write(legacy, generation("new"), 2);
        assertArrayEquals(generation("new").get(Checkpoint.WEIGHTS), read(legacy, Checkpoint.WEIGHTS));
        // Its optimizer state was charlm's, and the new generation has none: it goes.
        assertFalse(Files.exists(legacy.resolve(Checkpoint.OPTIMIZER)));
    }
}
