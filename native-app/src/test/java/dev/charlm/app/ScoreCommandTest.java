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

    @Test
    void theLargeModelScoresAsTheSdksLargeModelAndLower(QuarkusMainLauncher launcher) throws Exception {
        // The last 10% of a novel of more/: held out from the large model's training, never seen by the default.
        byte[] book = Files.readAllBytes(Path.of(System.getProperty("charlm.shared.data"), "more",
                "eliot_middlemarch.txt"));
        int from = book.length - book.length / 10;
        while (book[from - 1] != '\n') {
            from++; // from a line start, never inside a character
        }
        Path a = Files.write(dir.resolve("middlemarch-tail.txt"), java.util.Arrays.copyOfRange(book, from, book.length));
        LaunchResult large = launcher.launch("score", "--json", "--model", "large", a.toString());
        assertEquals(0, large.exitCode(), large.getErrorOutput());
        try (dev.charlm.sdk.CharModel m = dev.charlm.sdk.CharModel.loadBuiltIn(dev.charlm.sdk.BuiltInModel.LARGE,
                dev.charlm.contract.Precision.FP32, dev.charlm.sdk.ModelOptions.forScoring())) {
            assertEquals(m.newScorer().score(a).toJson(), large.getOutput().lines().findFirst().orElseThrow());
        }
        LaunchResult small = launcher.launch("score", "--json", a.toString());
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        double pLarge = json.readTree(large.getOutput().lines().findFirst().orElseThrow()).get("perplexity").asDouble();
        double pSmall = json.readTree(small.getOutput().lines().findFirst().orElseThrow()).get("perplexity").asDouble();
        assertTrue(pLarge < pSmall, "large " + pLarge + ", default " + pSmall);
    }

    /**
     * JSON lines as corpora come: a byte-order mark, CRLF line ends, blank lines, a line that is
     * not JSON, a missing and a non-string field, non-ASCII text and a 5 MB record. Every record
     * gets its line in input order, scored as the same text alone as a file scores, and each
     * file's total and the total follow.
     */
    @Test
    void recordsOfJsonLinesAreScoredEachAsItsOwnText(QuarkusMainLauncher launcher) throws Exception {
        String book = Files.readString(Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt"));
        StringBuilder big = new StringBuilder();
        while (big.length() < 5_000_000) {
            big.append(book);
        }
        List<String> texts = List.of("The Time Traveller smiled.", "caf\u00e9 cr\u00e8me \u2014 na\u00efve",
                big.toString(), "He was expounding a recondite matter to us.");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        StringBuilder file = new StringBuilder("\uFEFF");
        file.append(json.writeValueAsString(java.util.Map.of("id", "a", "text", texts.get(0)))).append("\r\n\r\n");
        file.append("{not json}\r\n");
        file.append(json.writeValueAsString(java.util.Map.of("id", "b", "text", texts.get(1)))).append("\n");
        file.append("{\"id\": \"c\"}\n");
        file.append(json.writeValueAsString(java.util.Map.of("id", "d", "text", texts.get(2)))).append("\n");
        file.append("{\"id\": \"e\", \"text\": [1]}\n");
        file.append(json.writeValueAsString(java.util.Map.of("id", 6, "text", texts.get(3))));
        Path corpus = Files.writeString(dir.resolve("corpus.jsonl"), file);
        List<String> singles = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            singles.add(Files.writeString(dir.resolve("single" + i + ".txt"), texts.get(i)).toString());
        }

        LaunchResult r = launcher.launch("score", "--records", "jsonl", "--id-field", "id", corpus.toString());
        assertEquals(1, r.exitCode(), r.getErrorOutput());
        List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>();
        for (String line : r.getOutput().lines().toList()) {
            out.add(json.readTree(line));
        }
        assertEquals(9, out.size(), r.getOutput());
        // Line 2 is blank: not a record, but counted.
        assertEquals(List.of(1, 3, 4, 5, 6, 7, 8), out.subList(0, 7).stream().map(n -> n.get("line").asInt()).toList());
        assertEquals("is not JSON (at offset 1: expected '\"')", out.get(1).get("error").asText());
        assertEquals("has no field 'text'", out.get(3).get("error").asText());
        assertEquals("c", out.get(3).get("id").asText());
        assertEquals("has a field 'text' that is an array, not a string", out.get(5).get("error").asText());
        assertEquals(6, out.get(6).get("id").asInt());

        LaunchResult asFiles = launcher.launch(java.util.stream.Stream.concat(java.util.stream.Stream.of("score", "--json"),
                singles.stream()).toArray(String[]::new));
        assertEquals(0, asFiles.exitCode(), asFiles.getErrorOutput());
        List<String> fileLines = asFiles.getOutput().lines().toList();
        int[] scored = {0, 2, 4, 6};
        for (int i = 0; i < texts.size(); i++) {
            double expected = json.readTree(fileLines.get(i)).get("perplexity").asDouble();
            assertEquals(expected, out.get(scored[i]).get("perplexity").asDouble(), expected * 1e-9, "record " + i);
            assertEquals(json.readTree(fileLines.get(i)).get("predictions").asLong(),
                    out.get(scored[i]).get("predictions").asLong());
        }
        assertEquals(corpus.toString(), out.get(7).get("file").asText());
        assertEquals(7, out.get(7).get("records").asInt());
        assertEquals(3, out.get(7).get("failed").asInt());
        assertTrue(out.get(8).get("total").asBoolean());
        assertEquals(7, out.get(8).get("records").asInt());
        assertTrue(r.getErrorOutput().contains("3 of 7 records could not be scored"), r.getErrorOutput());
    }

    @Test
    void linesAreRecordsAndFieldsNeedJsonLines(QuarkusMainLauncher launcher) throws Exception {
        Path f = Files.writeString(dir.resolve("s.txt"), "the first sentence\n\nthe second one\n");
        LaunchResult r = launcher.launch("score", "--records", "lines", f.toString());
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        List<String> out = r.getOutput().lines().toList();
        assertEquals(4, out.size(), out.toString());
        assertTrue(out.get(1).startsWith("{\"file\":\"" + f + "\",\"line\":3,\"perplexity\":"), out.get(1));
        LaunchResult field = launcher.launch("score", "--records", "lines", "--field", "body", f.toString());
        assertEquals(2, field.exitCode());
        assertEquals("charlm score: error: --field needs --records jsonl (lines have no fields)",
                field.getErrorOutput().strip());
        LaunchResult format = launcher.launch("score", "--records", "csv", f.toString());
        assertEquals(2, format.exitCode());
        assertTrue(format.getErrorOutput().contains("unknown record format 'csv' (expected lines or jsonl)"),
                format.getErrorOutput());
    }
}
