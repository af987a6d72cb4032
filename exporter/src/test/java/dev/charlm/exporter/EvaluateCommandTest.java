package dev.charlm.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlm.contract.Perplexity;
import dev.charlm.contract.Preprocessing;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreReport;
import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.CorpusSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** charlm evaluate: the table's figures are the sdk's exact scores of each text's held-out part; mistakes are one line. */
class EvaluateCommandTest {

    @TempDir Path dir;
    static final Path DATA = Path.of(System.getProperty("charlm.shared.data"));

    record Outcome(int status, String out, String err) {}

    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = EvaluateCommand.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void eachRowIsTheSdksExactScoreOfTheHeldOutPartBesideKneserNey() throws Exception {
        Path a = DATA.resolve("timemachine.txt");
        Path b = DATA.resolve("war_of_the_worlds.txt");
        Outcome o = run("--model", "default", "--data", a.toString(), "--data", b.toString(), "--order", "3,5");
        assertEquals(0, o.status(), o.err());
        List<String> lines = o.out().lines().toList();
        assertEquals(List.of("held-out", "part", "of", "characters", "charlm-default", "KN-3", "KN-5", "5-gram", "ref"),
                List.of(lines.get(0).trim().split("\\s+")));
        assertEquals(6, lines.size(), o.out()); // header, two texts, two groups, total
        Corpus corpus = Corpus.load(new CorpusSpec(List.of(a, b), List.of(), false, 0), Preprocessing.D2L, 0.1, null);
        double nll = 0;
        long predictions = 0;
        try (CharModel model = CharModel.loadDefault(ModelOptions.forScoring())) {
            for (int i = 0; i < 2; i++) {
                String part = corpus.sources().get(i).heldOut();
                ScoreReport r = model.newScorer(ScoringOptions.builder().mode(ScoringMode.EXACT).build()).score("x", part);
                String[] row = lines.get(1 + i).trim().split("\\s+");
                assertEquals(corpus.sources().get(i).path().getFileName().toString(), row[0]);
                assertEquals(String.format(java.util.Locale.ROOT, "%,d", part.length()), row[1]);
                assertEquals(r.perplexity(), Double.parseDouble(row[2]), 0.0005 + 1e-9, row[0]);
                // The better n-gram order and the model each beat the 5-gram reference on real text.
                assertTrue(Double.parseDouble(row[4]) < Double.parseDouble(row[3]), lines.get(1 + i));
                assertTrue(Double.parseDouble(row[2]) < Double.parseDouble(row[5]), lines.get(1 + i));
                nll += r.totalNll();
                predictions += r.predictions();
            }
        }
        String[] total = lines.get(5).trim().split("\\s+");
        assertEquals("total", total[0]);
        assertEquals(Perplexity.of(nll, predictions), Double.parseDouble(total[2]), 0.0005 + 1e-9);
        assertTrue(lines.get(3).startsWith("total, " + a), lines.get(3));
    }

    @Test
    void anUnknownModelOrOrderIsOneLineBeforeAnyTextIsRead() throws Exception {
        Path missing = dir.resolve("no-such-text.txt");
        Outcome o = run("--model", dir.resolve("nope.onnx").toString(), "--data", missing.toString());
        assertEquals(2, o.status(), o.err());
        assertEquals(List.of("charlm evaluate: error: " + dir.resolve("nope.onnx")
                + ": no such model file (nor a built-in model's name: default, large)"), o.err().lines().toList());
        o = run("--order", "13", "--data", missing.toString());
        assertEquals(2, o.status(), o.err());
        assertEquals(List.of("charlm evaluate: error: --order must be in [1, 12], got 13"), o.err().lines().toList());
        Path notAModel = Files.writeString(dir.resolve("text.onnx"), "not a model");
        o = run("--model", notAModel.toString(), "--data", missing.toString());
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().startsWith("charlm evaluate: error: ") && o.err().contains("text.onnx"), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        // A model of raw text cannot be compared on d2l's split: named as typed.
        Path raw = Files.write(dir.resolve("raw.onnx"), FixtureModelsTest.rawModel(null));
        o = run("--model", raw.toString(), "--data", missing.toString());
        assertEquals(2, o.status(), o.err());
        assertEquals(List.of("charlm evaluate: error: " + raw + ": is a raw model; evaluate compares on"
                + " d2l-preprocessed text"), o.err().lines().toList());
    }
}
