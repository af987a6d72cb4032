package dev.charlm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@QuarkusMainTest
class ScoreCommandTest {

    @TempDir Path dir;

    @Test
    void aDirectoryWithAnUnreadableAndABinaryFileReportsBothAndScoresTheRest(QuarkusMainLauncher launcher)
            throws Exception {
        Files.writeString(dir.resolve("a.txt"), "the time traveller smiled round at us");
        Files.writeString(dir.resolve("b.txt"), "then he said the machine was ready");
        Files.write(dir.resolve("c.txt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        Files.createSymbolicLink(dir.resolve("d.txt"), dir.resolve("gone")); // unreadable: dangling
        LaunchResult r = launcher.launch("score", dir.toString());
        assertEquals(1, r.exitCode(), r.getErrorOutput());
        List<String> out = r.getOutput().lines().toList();
        assertTrue(out.get(0).startsWith("file"), out.toString());
        assertTrue(out.get(1).contains("a.txt") && out.get(2).contains("b.txt"), out.toString());
        assertTrue(out.get(3).startsWith("total"), out.toString());
        assertEquals(4, out.size(), out.toString());
        String err = r.getErrorOutput();
        assertTrue(err.contains(dir.resolve("c.txt") + ": looks binary"), err);
        assertTrue(err.contains(dir.resolve("d.txt") + ": no such file"), err);
        assertTrue(err.contains("2 of 4 files could not be scored"), err);
    }

    @Test
    void jsonLinesPerFileThenTotal(QuarkusMainLauncher launcher) throws Exception {
        Path a = Files.writeString(dir.resolve("a.txt"), "the time traveller smiled round at us");
        LaunchResult r = launcher.launch("score", "--json", a.toString());
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        List<String> out = r.getOutput().lines().toList();
        assertEquals(2, out.size(), out.toString());
        assertTrue(out.get(0).startsWith("{\"file\":\"" + a + "\",\"perplexity\":"), out.get(0));
        assertTrue(out.get(0).contains("\"characters\":37,\"predictions\":36,\"unknown\":0}"), out.get(0));
        // The total's form is the HTTP API's: a "total" flag, never a file name that could clash.
        assertTrue(out.get(1).startsWith("{\"total\":true,\"files\":1,\"perplexity\":"), out.get(1));
    }

    @Test
    void globsExpandAndAGlobWithNoMatchIsAnError(QuarkusMainLauncher launcher) throws Exception {
        Files.writeString(dir.resolve("one.txt"), "the time traveller");
        Files.writeString(dir.resolve("two.txt"), "the psychologist");
        Files.writeString(dir.resolve("skip.md"), "not text");
        LaunchResult r = launcher.launch("score", dir + "/*.txt");
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        assertEquals(4, r.getOutput().lines().count(), r.getOutput());
        LaunchResult none = launcher.launch("score", dir + "/*.csv");
        assertEquals(2, none.exitCode());
        assertEquals("charlm score: error: " + dir + "/*.csv: matches no files", none.getErrorOutput().strip());
    }

    @Test
    void badSegmentAndWarmupValuesAreOneLine(QuarkusMainLauncher launcher) throws Exception {
        Path a = Files.writeString(dir.resolve("a.txt"), "the time traveller");
        String[][] cases = {
            {"--segment", "0", "--segment must be a positive number of bytes, got 0"},
            {"--segment", "-5", "--segment must be a positive number of bytes, got -5"},
            {"--warmup", "-1", "--warmup must be >= 0 bytes, got -1"},
            {"--warmup", "20000", "--warmup (20000 bytes) must be shorter than the segment (16384 bytes)"},
            {"--segment", "lots", "Invalid value for option '--segment'"},
            {"--exact", "--warmup", "10", "--exact scores each text whole, with no segments or warm-up"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("score"));
            args.addAll(List.of(c).subList(0, c.length - 1));
            args.add(a.toString());
            LaunchResult r = launcher.launch(args.toArray(String[]::new));
            assertEquals(2, r.exitCode(), String.join(" ", args));
            assertEquals(1, r.getErrorOutput().strip().lines().count(), r.getErrorOutput());
            assertTrue(r.getErrorOutput().contains(c[c.length - 1]), r.getErrorOutput());
        }
    }

    @Test
    void jsonSaysWhichModeScored(QuarkusMainLauncher launcher) throws Exception {
        Path a = Files.writeString(dir.resolve("a.txt"), "the time traveller smiled round at us");
        assertTrue(launcher.launch("score", "--json", a.toString()).getOutput().contains("\"mode\":\"segmented\""));
        assertTrue(launcher.launch("score", "--json", "--exact", a.toString()).getOutput().contains("\"mode\":\"exact\""));
    }

    @Test
    void controlCharactersInFileNamesAreShownEscaped(QuarkusMainLauncher launcher) throws Exception {
        Path odd = Files.writeString(dir.resolve("odd\nname\u001b[31m.txt"), "the time traveller smiled");
        LaunchResult r = launcher.launch("score", odd.toString());
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        List<String> out = r.getOutput().lines().toList();
        assertEquals(3, out.size(), out.toString()); // header, one row, total: no line broken by the name
        assertTrue(out.get(1).contains("odd\\x0aname\\x1b[31m.txt"), out.get(1));
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aPipeNamedLikeATextFileIsReportedNotWaitedOn(QuarkusMainLauncher launcher) throws Exception {
        Files.writeString(dir.resolve("a.txt"), "the time traveller smiled round at us");
        Path fifo = dir.resolve("pipe.txt");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        LaunchResult r = launcher.launch("score", dir.toString());
        assertEquals(1, r.exitCode(), r.getErrorOutput());
        assertTrue(r.getErrorOutput().contains(fifo + ": is not a regular file"), r.getErrorOutput());
        assertTrue(r.getOutput().contains("a.txt"), r.getOutput());
    }

    @Test
    void theInt8TwinScoresAsTheSdksInt8Model(QuarkusMainLauncher launcher) throws Exception {
        Path a = Files.writeString(dir.resolve("int8.txt"), "the time traveller smiled round at us ".repeat(200));
        LaunchResult r = launcher.launch("score", "--json", "--precision", "int8", a.toString());
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        try (dev.charlm.sdk.CharModel m = dev.charlm.sdk.CharModel.loadBuiltIn(dev.charlm.sdk.BuiltInModel.DEFAULT,
                dev.charlm.contract.Precision.INT8, dev.charlm.sdk.ModelOptions.forScoring())) {
            assertEquals(m.newScorer().score(a).toJson(), r.getOutput().lines().findFirst().orElseThrow());
        }
    }
}
