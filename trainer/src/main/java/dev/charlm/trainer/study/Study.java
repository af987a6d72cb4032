package dev.charlm.trainer.study;

import dev.charlm.contract.AtomicFiles;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.TrainingOutcome;
import dev.charlm.trainer.TrainingRequest;
import dev.charlm.trainer.TrainingRun;
import dev.charlm.trainer.checkpoint.Checkpoint;
import dev.charlm.trainer.checkpoint.CheckpointException;
import dev.charlm.trainer.checkpoint.ModelConfig;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.SourceText;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.CharRnnModel;
import dev.charlm.trainer.model.Implementation;
import dev.charlm.trainer.plot.LineChart;
import dev.charlm.trainer.train.EpochMetrics;
import dev.charlm.trainer.train.Evaluation;
import dev.charlm.trainer.train.HeldOutScorer;
import dev.charlm.trainer.train.ProgressListener;
import dev.charlm.trainer.train.TrainingSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the studies share: training one configuration, scoring its saved model on any held-out
 * tails, the 5-gram on exactly the same split, and writing a table, a figure and the raw numbers.
 */
final class Study {

    /** A held-out score: the LSTM's and the 5-gram's on the same text. */
    /**
     * One held-out figure of a run beside its yardsticks on the same split.
     *
     * @param model the run's perplexity
     * @param ngram the reference 5-gram's (interpolated absolute discounting, ngram.py's)
     * @param kneserNey modified Kneser-Ney's at the best order ({@link CharNgram#BEST_ORDER})
     */
    record Score(double model, double ngram, double kneserNey, long predictions) {}

    private final Path out;
    private final Path runs;
    private final PrintStream log;

    Study(Path out, Path runs, PrintStream log) {
        this.out = out;
        this.runs = runs;
        this.log = log;
    }

    /**
     * Trains {@code request} into runs/NAME, logging one line per epoch; a finished run of the
     * same request already there is reused, so a stopped study goes on where it was.
     */
    TrainingOutcome train(String name, TrainingRequest request) throws InvalidTextException, CheckpointException {
        TrainingRequest here = request.withData(request.data(), runs.resolve(name));
        Optional<TrainingOutcome> done = TrainingRun.finished(here);
        if (done.isPresent()) {
            log.printf("study: %s: reusing the finished run in %s%n", name, here.out());
            return done.get();
        }
        log.printf("study: %s: training (%s)%n", name, describe(request));
        TrainingRun run = new TrainingRun(log, new ProgressListener() {
            @Override
            public void onEpoch(EpochMetrics m) {
                log.printf(Locale.ROOT, "study: %s: epoch %d val ppl %.4f train ppl %.4f %.0f tok/s %.0f s%n", name,
                        m.epoch(), m.validationPerplexity(), m.trainPerplexity(), m.tokensPerSecond(), m.wallSeconds());
            }
        });
        return run.train(here);
    }

    static String describe(TrainingRequest r) {
        TrainingSettings s = r.settings();
        return String.format(Locale.ROOT, "%s %dx%d, %s lr %s %s%s%s, dropout %s, %d epochs of %s",
                r.cell().id(), r.layers(), r.hidden(), s.optimizer().id(), s.learningRate(), s.schedule().id(),
                s.weightDecay() > 0 ? ", weight decay " + s.weightDecay() : "",
                s.averaging() > 0 ? ", averaging " + s.averaging() : "", r.dropout(), s.epochs(),
                s.maxMinutes() > 0 ? "at most " + s.maxMinutes() + " minutes" : "batch " + s.batchSize() + "x"
                        + s.numSteps());
    }

    /**
     * The saved model of a run and the 5-gram trained on the same training text, both scored on
     * the held-out tails of {@code evaluated} (split as in training), per file and in total.
     */
    Map<String, Score> score(TrainingOutcome run, Corpus trained, List<Path> evaluated)
            throws CheckpointException, InvalidTextException {
        ModelConfig config = Checkpoint.readConfig(run.checkpoint());
        Corpus eval = Corpus.load(new CorpusSpec(evaluated, List.of(), trained.spec().stripFrontMatter(), 0),
                trained.preprocessing(), trained.holdout(), config.vocabulary());
        List<int[]> tails = eval.heldOutTokens();
        List<Evaluation> model;
        try (CharRnnModel m = Checkpoint.loadModel(run.checkpoint(), config, TrainingRun.device())) {
            model = HeldOutScorer.evaluateAll(m, tails);
        }
        CharNgram ngram = ngram(trained, eval);
        CharNgram kneserNey = kneserNey(trained, eval, CharNgram.BEST_ORDER);
        Map<String, Score> scores = new LinkedHashMap<>();
        double modelNll = 0;
        double ngramNll = 0;
        double kneserNeyNll = 0;
        long predictions = 0;
        for (int i = 0; i < tails.size(); i++) {
            SourceText s = eval.sources().get(i);
            double n = ngram.totalNll(s.heldOut());
            double k = kneserNey.totalNll(s.heldOut());
            long p = model.get(i).count();
            scores.put(s.path().getFileName().toString(),
                    new Score(model.get(i).perplexity(), Math.exp(n / p), Math.exp(k / p), p));
            modelNll += model.get(i).totalNll();
            ngramNll += n;
            kneserNeyNll += k;
            predictions += p;
        }
        scores.put("total", new Score(Math.exp(modelNll / predictions), Math.exp(ngramNll / predictions),
                Math.exp(kneserNeyNll / predictions), predictions));
        return scores;
    }

    /**
     * The reference 5-gram: trained on the training parts of {@code trained}, over the alphabet
     * of those and of the held-out tails of {@code evaluated} (as ngram.py builds it).
     */
    static CharNgram ngram(Corpus trained, Corpus evaluated) {
        return CharNgram.absoluteDiscounting(5, trainingParts(trained), alphabet(trained, evaluated));
    }

    /** Modified Kneser-Ney of {@code order}, trained and over the alphabet as {@link #ngram}. */
    static CharNgram kneserNey(Corpus trained, Corpus evaluated, int order) {
        return CharNgram.kneserNey(order, trainingParts(trained), alphabet(trained, evaluated));
    }

    private static List<String> trainingParts(Corpus trained) {
        List<String> training = new ArrayList<>();
        for (SourceText s : trained.sources()) {
            if (s.trained()) {
                training.add(s.training());
            }
        }
        return training;
    }

    private static List<String> alphabet(Corpus trained, Corpus evaluated) {
        List<String> alphabet = new ArrayList<>(trainingParts(trained));
        for (SourceText s : evaluated.sources()) {
            alphabet.add(s.heldOut());
        }
        return alphabet;
    }

    /** The base request every study varies: the options given to the study command. */
    static TrainingRequest request(CorpusSpec data, StudyOptions o, Cell cell, TrainingSettings settings) {
        return new TrainingRequest(data, Preprocessing.D2L, 0.1, cell, Implementation.BUILTIN, o.shape.layers, o.shape.hidden,
                o.shape.dropout, settings, Path.of("unused"));
    }

    /** Writes NAME.md, NAME.png, NAME.svg and NAME.json into the output folder. */
    void write(String name, String markdown, LineChart chart, String json) throws IOException {
        Files.createDirectories(out);
        AtomicFiles.write(out.resolve(name + ".md"), markdown.getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(out.resolve(name + ".png"), chart.png());
        AtomicFiles.write(out.resolve(name + ".svg"), chart.svg());
        AtomicFiles.write(out.resolve(name + ".json"), json.getBytes(StandardCharsets.UTF_8));
        log.println("study: wrote " + out.resolve(name + ".md") + " (and .png, .svg, .json)");
    }

    static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String millions(long characters) {
        return String.format(Locale.ROOT, "%.2fM", characters / 1e6);
    }
}
