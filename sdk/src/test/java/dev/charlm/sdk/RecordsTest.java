package dev.charlm.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records: lines and JSON lines read by the one rule, scored packed, handed back in order. */
class RecordsTest {

    static CharModel model;
    static String book;
    @TempDir Path dir;

    @BeforeAll
    static void load() throws Exception {
        model = CharModel.loadDefault(ModelOptions.builder().intraOpThreads(2).build());
        book = Files.readString(Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static List<TextRecord> read(String content, RecordParser parser) {
        List<TextRecord> out = new ArrayList<>();
        try (RecordReader r = RecordReader.of("f", parser, new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)))) {
            r.forEachRemaining(out::add);
        }
        return out;
    }

    static List<RecordScore> score(PerplexityScorer scorer, Iterator<TextRecord> records) {
        List<RecordScore> out = new ArrayList<>();
        try (RecordScores s = scorer.scoreRecords(records, null)) {
            s.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void jsonLinesAreReadByOneRuleWithEveryMistakeNamed() {
        String file = "\uFEFF{\"id\": 7, \"text\": \"The Time Traveller\"}\r\n"
                + "\n"
                + "{\"id\": \"b\", \"text\": \"caf\u00e9 \u00e0 la cr\u00e8me\", \"other\": [1, 2]}\n"
                + "not json\n"
                + "{\"id\": 3}\n"
                + "{\"id\": 4, \"text\": 5}\n"
                + "{\"id\": 5, \"text\": \"\"}\n"
                + "[1, 2]\n"
                + "{\"text\": \"no id here\"}";
        List<TextRecord> records = read(file, new RecordParser(RecordFormat.JSONL, "text", "id"));
        assertEquals(List.of(1L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), records.stream().map(TextRecord::line).toList(),
                "line numbers count every line, blank ones too, and blank lines are not records");
        assertEquals(7L, records.get(0).id().orElseThrow());
        assertEquals("b", records.get(1).id().orElseThrow());
        assertTrue(records.get(0).failure().isEmpty() && records.get(1).failure().isEmpty());
        assertEquals("is not JSON", records.get(2).failure().orElseThrow().problem().substring(0, 11));
        assertEquals("has no field 'text'", records.get(3).failure().orElseThrow().problem());
        assertEquals("has a field 'text' that is a number, not a string", records.get(4).failure().orElseThrow().problem());
        assertEquals("is empty", records.get(5).failure().orElseThrow().problem());
        assertEquals("is not a JSON object", records.get(6).failure().orElseThrow().problem());
        assertTrue(records.get(7).id().isEmpty());

        List<RecordScore> scores = score(model.newScorer(), records.iterator());
        assertEquals(8, scores.size());
        assertEquals("{\"file\":\"f\",\"line\":1,\"id\":7,\"perplexity\"", scores.get(0).toJson().substring(0, 40));
        assertEquals(model.newScorer().score("x", "The Time Traveller").perplexity(),
                scores.get(0).report().orElseThrow().perplexity(), 1e-12);
        assertTrue(scores.get(2).toJson().startsWith("{\"file\":\"f\",\"line\":4,\"error\":\"is not JSON ("),
                scores.get(2).toJson());
        assertEquals("{\"file\":\"f\",\"line\":5,\"id\":3,\"error\":\"has no field 'text'\"}", scores.get(3).toJson());
        assertEquals("f:5: has no field 'text'", scores.get(3).outcome().failure().orElseThrow().getMessage());
    }

    @Test
    void linesKeepTheirBytesAndAreCheckedWhenScored() {
        byte[] bad = {'a', 'b', (byte) 0xC3, '\n', 'o', 'k', ' ', 't', 'e', 'x', 't', '\r', '\n', ' ', '\n'};
        List<TextRecord> records = new ArrayList<>();
        RecordReader.of("g", new RecordParser(RecordFormat.LINES, null, null), new ByteArrayInputStream(bad))
                .forEachRemaining(records::add);
        assertEquals(3, records.size());
        List<RecordScore> scores = score(model.newScorer(), records.iterator());
        assertTrue(scores.get(0).outcome().failure().orElseThrow().problem().contains("UTF-8"),
                scores.get(0).toJson());
        assertEquals(model.newScorer().score("x", "ok text").perplexity(),
                scores.get(1).report().orElseThrow().perplexity(), 1e-12, "the \\r is not part of the text");
        assertTrue(scores.get(2).outcome().failure().orElseThrow().problem().contains("no characters after d2l"),
                scores.get(2).toJson());
        assertThrows(IllegalArgumentException.class, () -> new RecordParser(RecordFormat.LINES, null, "id"));
    }

    /**
     * Records of every size, one of 600 KB among them (37 segments), packed into the rows: each
     * score is the one the record gets scored as a file of its own, and they come back in input
     * order. (The command line's test scores a 5 MB record.)
     */
    @Test
    void packedRecordsScoreAsTheirOwnFilesInInputOrder() throws Exception {
        Random random = new Random(5);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int from = random.nextInt(book.length() - 3000);
            texts.add(book.substring(from, from + 20 + random.nextInt(2500)));
        }
        StringBuilder big = new StringBuilder();
        while (big.length() < 600_000) {
            big.append(book);
        }
        texts.add(7, big.toString());
        texts.add(150, "\u00e9t\u00e9 \u2014 na\u00efve \ud83d\ude00 text");
        List<TextRecord> records = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            records.add(TextRecord.of("mem", i + 1, (long) i, texts.get(i)));
            Path f = dir.resolve("t" + i + ".txt");
            Files.writeString(f, texts.get(i));
            files.add(f);
        }
        PerplexityScorer scorer = model.newScorer();
        List<RecordScore> scores = score(scorer, records.iterator());
        List<ScoreOutcome> asFiles = scorer.scoreAll(files, null);
        assertEquals(texts.size(), scores.size());
        for (int i = 0; i < texts.size(); i++) {
            assertEquals((long) i, scores.get(i).id(), "input order");
            ScoreReport r = scores.get(i).report().orElseThrow();
            ScoreReport f = asFiles.get(i).report().orElseThrow();
            assertEquals(f.perplexity(), r.perplexity(), f.perplexity() * 1e-9, "record " + i);
            assertEquals(f.predictions(), r.predictions());
            assertEquals(f.segments(), r.segments());
        }
    }

    @Test
    void anEndlessStreamIsReadOnlyAsFarAsTheRowsNeed() {
        AtomicLong pulled = new AtomicLong();
        Iterator<TextRecord> endless = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public TextRecord next() {
                long n = pulled.incrementAndGet();
                return TextRecord.of("endless", n, null, "the time traveller number " + n);
            }
        };
        try (RecordScores scores = model.newScorer().scoreRecords(endless, null)) {
            for (int i = 0; i < 1000; i++) {
                assertEquals(i + 1, scores.next().line());
            }
            assertTrue(pulled.get() <= 1000 + RecordScores.MAX_AHEAD, pulled + " records pulled");
        }
        // Invalid records only, endlessly: still handed out one by one, never all read first.
        Iterator<TextRecord> broken = new Iterator<>() {
            long n;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public TextRecord next() {
                return TextRecord.invalid("broken", ++n, null, "is not JSON");
            }
        };
        try (RecordScores scores = model.newScorer().scoreRecords(broken, null)) {
            for (int i = 0; i < 10_000; i++) {
                assertFalse(scores.next().outcome().succeeded());
            }
        }
    }

    @Test
    void aListenerCanStopTheWork() {
        List<TextRecord> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            records.add(TextRecord.of("r", i + 1, null, book.substring(i * 100, i * 100 + 5000)));
        }
        int[] calls = {0};
        try (RecordScores scores = model.newScorer().scoreRecords(records.iterator(), new ScoreListener() {
            @Override
            public boolean isCancelled() {
                return ++calls[0] > 3;
            }
        })) {
            assertThrows(CancellationException.class, () -> scores.forEachRemaining(s -> { }));
        }
    }

    @Test
    void aLineTooLongIsARecordOfItsOwnAndTheNextLineIsRead() {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'a');
        for (int i = 0; i <= RecordReader.MAX_RECORD_BYTES >> 20; i++) {
            file.write(chunk, 0, chunk.length);
        }
        file.writeBytes("\nsecond line\n".getBytes(StandardCharsets.US_ASCII));
        List<TextRecord> records = new ArrayList<>();
        RecordReader.of("h", new RecordParser(RecordFormat.LINES, null, null), new ByteArrayInputStream(file.toByteArray()))
                .forEachRemaining(records::add);
        assertEquals(2, records.size());
        assertEquals("is longer than 64 MiB", records.get(0).failure().orElseThrow().problem());
        assertEquals(2, records.get(1).line());
    }
}
