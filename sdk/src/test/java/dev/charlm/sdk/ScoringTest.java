package dev.charlm.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.InvalidTextException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;

class ScoringTest {

    static CharModel model;
    static Path book = Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt");
    @TempDir Path dir;

    @BeforeAll
    static void load() throws Exception {
        model = CharModel.loadDefault(ModelOptions.builder().intraOpThreads(2).build());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The last 10% of The Time Machine after d2l preprocessing, as the trainer held it out. */
    static String heldOut() throws Exception {
        String processed = dev.charlm.contract.Preprocessing.D2L.apply(Files.readString(book));
        int n = processed.length();
        return processed.substring(n - (int) Math.round(n * 0.1));
    }

    @Test
    void heldOutTextIsCountedAndScoredBelowTheFiveGram() throws Exception {
        ScoreReport r = model.newScorer().score("held-out", heldOut());
        assertEquals(17_343, r.characters());
        assertEquals(17_342, r.predictions());
        assertEquals(0, r.unknownCharacters());
        assertEquals(Math.exp(r.totalNll() / r.predictions()), r.perplexity(), 1e-12);
        assertEquals(Math.log(r.perplexity()) / Math.log(2), r.bitsPerCharacter(), 1e-9);
        // The figure recorded in the model covers all twelve texts it held out; DefaultModelTest
        // (exporter) recomputes that one. Here: better than the 5-gram trained on The Time Machine.
        assertTrue(r.perplexity() < 4.186, "perplexity " + r.perplexity());
    }

    @Test
    void chunkedScoringEqualsOnePass() throws Exception {
        // 3,000 steps: whole calls of 1, 8 and 250; a short last call of 7 and 256.
        String text = heldOut().substring(0, 3001);
        ScoreReport onePass = model.newScorer().withBatching(1, 100_000).score("t", text);
        for (int chunk : new int[] {1, 7, 8, 250, 256}) {
            ScoreReport chunked = model.newScorer().withBatching(4, chunk).score("t", text);
            assertEquals(onePass.predictions(), chunked.predictions());
            assertEquals(onePass.perplexity(), chunked.perplexity(), onePass.perplexity() * 1e-5, "chunk " + chunk);
        }
    }

    @Test
    void batchingManyFilesEqualsScoringEachAlone() throws Exception {
        String text = heldOut();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            files.add(Files.writeString(dir.resolve("part" + i + ".txt"), text.substring(i * 1000, i * 1000 + 300 + 500 * i)));
        }
        List<ScoreOutcome> batched = model.newScorer().withBatching(3, 64).scoreAll(files, null);
        for (int i = 0; i < files.size(); i++) {
            ScoreReport alone = model.newScorer().withBatching(1, 100_000).score(files.get(i));
            ScoreReport together = batched.get(i).report().orElseThrow();
            assertEquals(alone.predictions(), together.predictions());
            assertEquals(alone.perplexity(), together.perplexity(), alone.perplexity() * 1e-5, files.get(i).toString());
        }
    }

    @Test
    void badFilesAreNamedAndTheRestAreScored() throws Exception {
        Path good = Files.writeString(dir.resolve("good.txt"), "the time traveller smiled");
        Path empty = Files.createFile(dir.resolve("empty.txt"));
        Path binary = Files.write(dir.resolve("image.txt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1});
        byte[] bad = "the time traveller caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        Path latin1 = Files.write(dir.resolve("latin1.txt"), bad);
        Path missing = dir.resolve("missing.txt");
        Path digits = Files.writeString(dir.resolve("digits.txt"), "1234 5678");
        List<Long> progress = new ArrayList<>();
        List<ScoreOutcome> out = model.newScorer().scoreAll(List.of(good, empty, binary, latin1, missing, digits),
                new ScoreListener() {
                    @Override
                    public void onProgress(long scored, int done, int total) {
                        progress.add(scored);
                    }
                });
        assertTrue(out.get(0).succeeded());
        assertEquals(empty + ": file is empty", out.get(1).error().orElseThrow());
        assertEquals(binary + ": looks binary (NUL byte at offset 4), expected UTF-8 text", out.get(2).error().orElseThrow());
        assertEquals(latin1 + ": is not valid UTF-8 (bad byte sequence at offset 22)", out.get(3).error().orElseThrow());
        assertEquals(missing + ": no such file", out.get(4).error().orElseThrow());
        assertTrue(out.get(5).error().orElseThrow().contains("no characters after d2l preprocessing"));
        assertFalse(progress.isEmpty());
        InvalidTextException e = assertThrows(InvalidTextException.class, () -> model.newScorer().score(latin1));
        assertTrue(e.getMessage().startsWith(latin1.toString()), e.getMessage());
    }

    @Test
    void invalidUtf8DeepInALargeFileIsReportedWithItsOffset() throws Exception {
        byte[] big = ("the time traveller ".repeat(20_000)).getBytes(StandardCharsets.US_ASCII);
        big[300_001] = (byte) 0xC3; // starts a 2-byte sequence ...
        big[300_002] = (byte) 0x28; // ... that this byte does not continue
        Path f = Files.write(dir.resolve("big.txt"), big);
        InvalidTextException e = assertThrows(InvalidTextException.class, () -> model.newScorer().score(f));
        assertEquals(f + ": is not valid UTF-8 (bad byte sequence at offset 300001)", e.getMessage());
    }

    static ScoringOptions exact() {
        return ScoringOptions.builder().mode(ScoringMode.EXACT).build();
    }

    static double relative(ScoreReport a, ScoreReport b) {
        return Math.abs(a.perplexity() - b.perplexity()) / b.perplexity();
    }

    @Test
    void segmentedWithTheDefaultsIsWithinOneInAMillionOfExact() throws Exception {
        ScoreReport exact = model.newScorer(exact()).score(book);
        ScoreReport segmented = model.newScorer().score(book);
        assertEquals(ScoringMode.EXACT, exact.mode());
        assertEquals(ScoringMode.SEGMENTED, segmented.mode());
        assertTrue(segmented.segments() > 8, "segments: " + segmented.segments());
        assertEquals(exact.predictions(), segmented.predictions());
        assertEquals(exact.characters(), segmented.characters());
        assertTrue(relative(segmented, exact) <= 1e-6, "relative difference " + relative(segmented, exact));
        // Without a warm-up each segment starts cold, which is what the warm-up is for.
        ScoreReport cold = model.newScorer(ScoringOptions.builder().warmupBytes(0).build()).score(book);
        assertTrue(relative(cold, exact) > 1e-5, "cold start differs by only " + relative(cold, exact));
    }

    @Test
    void aWarmupReachingBackToTheStartIsExactToRounding() throws Exception {
        // Two segments; the second one's warm-up starts at byte 1, and byte 0 is a space that d2l
        // preprocessing drops: the second segment starts from exactly the state exact mode has there.
        String text = " " + heldOut().substring(0, 3_000);
        ScoreReport exact = model.newScorer(exact()).score("t", text);
        ScoreReport segmented = model.newScorer(ScoringOptions.builder().segmentBytes(2_048).warmupBytes(2_047).build())
                .score("t", text);
        assertEquals(2, segmented.segments());
        assertEquals(exact.predictions(), segmented.predictions());
        assertEquals(exact.totalNll(), segmented.totalNll(), Math.abs(exact.totalNll()) * 1e-12);
    }

    @Test
    void aTextShorterThanASegmentIsScoredExactly() {
        String text = "the time traveller smiled round at us then he said";
        assertEquals(model.newScorer(exact()).score("t", text).totalNll(), model.newScorer().score("t", text).totalNll());
    }

    @Test
    void textsOfVeryDifferentLengthsTogetherScoreAsEachAlone() throws Exception {
        Path one = Files.writeString(dir.resolve("one.txt"), "a");
        Path none = Files.writeString(dir.resolve("none.txt"), "1234 -- 5678");
        Path normal = Files.writeString(dir.resolve("normal.txt"), heldOut());
        // 10 MB, most of it digits that d2l preprocessing drops: many segments own nothing.
        StringBuilder big = new StringBuilder(10 << 20);
        for (int i = 0; big.length() < (10 << 20); i++) {
            big.append(i % 50 == 0 ? " the time traveller " : "0123456789 ");
        }
        Path large = Files.writeString(dir.resolve("large.txt"), big);
        List<Path> files = List.of(one, none, normal, large);
        List<ScoreOutcome> together = model.newScorer().scoreAll(files, null);
        assertTrue(together.get(0).error().orElseThrow().contains("has 1 character after preprocessing"));
        assertTrue(together.get(1).error().orElseThrow().contains("no characters after d2l preprocessing"));
        for (int i = 2; i < files.size(); i++) {
            ScoreReport alone = model.newScorer().score(files.get(i));
            ScoreReport inBatch = together.get(i).report().orElseThrow();
            assertEquals(alone.totalNll(), inBatch.totalNll(), files.get(i).toString()); // rows do not interact
            assertEquals(alone.predictions(), inBatch.predictions());
        }
        assertTrue(together.get(3).report().orElseThrow().segments() > 600);
    }

    @Test
    void invalidUtf8InALateSegmentFailsThatFileOnly() throws Exception {
        byte[] big = ("the time traveller ".repeat(20_000)).getBytes(StandardCharsets.US_ASCII);
        big[300_001] = (byte) 0xC3;
        big[300_002] = (byte) 0x28;
        Path bad = Files.write(dir.resolve("bad.txt"), big);
        Path good = Files.writeString(dir.resolve("good.txt"), heldOut());
        List<ScoreOutcome> out = model.newScorer().scoreAll(List.of(bad, good), null);
        assertEquals(bad + ": is not valid UTF-8 (bad byte sequence at offset 300001)", out.get(0).error().orElseThrow());
        assertEquals(model.newScorer().score(good).totalNll(), out.get(1).report().orElseThrow().totalNll());
    }

    @Test
    void aFileThatShrinksWhileBeingReadSaysSo() throws Exception {
        byte[] text = heldOut().getBytes(StandardCharsets.UTF_8);
        TextSource shrunk = new TextSource() {
            @Override
            public String name() {
                return "shrunk.txt";
            }

            @Override
            public java.util.OptionalLong size() {
                return java.util.OptionalLong.of(text.length + 40_000L); // what it was when planned
            }

            @Override
            public java.nio.channels.ReadableByteChannel open(long position) throws java.io.IOException {
                return TextSource.of("shrunk.txt", text).open(position);
            }
        };
        ScoreOutcome o = model.newScorer().scoreSources(List.of(shrunk), null).get(0);
        assertTrue(o.error().orElseThrow().startsWith("shrunk.txt: changed while it was being read"), o.error().get());
    }

    @ParameterizedTest
    @EnumSource(ScoringMode.class)
    void aFileThatGrowsWhileBeingReadSaysSo(ScoringMode mode) throws Exception {
        Path grows = Files.writeString(dir.resolve("grows-" + mode + ".txt"), heldOut());
        long planned = Files.size(grows);
        boolean[] appended = {false};
        ScoreOutcome o = model.newScorer(ScoringOptions.builder().mode(mode).build())
                .scoreAll(List.of(grows), new ScoreListener() {
                    @Override
                    public void onProgress(long scored, int done, int total) {
                        if (!appended[0]) { // a log file being written to, say
                            appended[0] = true;
                            try {
                                Files.writeString(grows, "and more text arrives ", StandardOpenOption.APPEND);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    }
                }).get(0);
        assertEquals(grows + ": changed while it was being read (it grew past the " + planned + " bytes planned)",
                o.error().orElseThrow());
    }

    @Test
    void aPipeIsReportedNotWaitedOn() throws Exception {
        Path fifo = dir.resolve("pipe.txt");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path good = Files.writeString(dir.resolve("ok.txt"), "the time traveller smiled");
        List<ScoreOutcome> out = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> model.newScorer().scoreAll(List.of(fifo, good), null)).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(fifo + ": is not a regular file (a pipe, socket or device), expected a text file",
                out.get(0).error().orElseThrow());
        assertTrue(out.get(1).succeeded());
    }

    @Test
    void aListenerCanStopTheWork() throws Exception {
        Path f = Files.writeString(dir.resolve("long.txt"), heldOut());
        int[] calls = {0};
        assertThrows(java.util.concurrent.CancellationException.class, () -> model.newScorer()
                .withBatching(1, 16).scoreAll(List.of(f), new ScoreListener() {
                    @Override
                    public boolean isCancelled() {
                        return ++calls[0] >= 3;
                    }
                }));
        assertEquals(3, calls[0]);
    }

    @Test
    void badScoringOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ScoringOptions.builder().segmentBytes(0));
        assertThrows(IllegalArgumentException.class, () -> ScoringOptions.builder().warmupBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> ScoringOptions.builder().segmentBytes(100).warmupBytes(100).build());
    }
}
