package dev.charlm.trainer.study;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.charlm.cli.Cli;
import dev.charlm.contract.InvalidTextException;
import dev.charlm.trainer.TrainingOutcome;
import dev.charlm.trainer.TrainingRequest;
import dev.charlm.trainer.checkpoint.CheckpointException;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.data.Partitioning;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.ParameterLayout;
import dev.charlm.trainer.plot.LineChart;
import dev.charlm.trainer.train.EpochMetrics;
import dev.charlm.trainer.train.LearningRateSchedule;
import dev.charlm.trainer.train.OptimizerKind;
import dev.charlm.trainer.train.TrainingSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code charlm study}: the chapter's exercises answered by measurement, each a sequence of
 * training runs whose results become a table, a figure (PNG and SVG) and the raw numbers in
 * {@code --out}. Long: run in the background with the log in a file.
 */
@Command(name = "charlm study", mixinStandardHelpOptions = true,
        description = "Measure the chapter's exercises: recipes, cells (exercise 2), scaling (3), mixing (4);"
                + " ngram scores modified Kneser-Ney and the reference 5-gram on a split.",
        subcommands = {StudyCommand.Recipes.class, StudyCommand.Cells.class, StudyCommand.Scaling.class,
                StudyCommand.Mixing.class, StudyCommand.Ngram.class})
public final class StudyCommand {

    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    static PrintStream log = System.err;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String[] args) {
        return Cli.execute(new StudyCommand(), args, System.out, log);
    }

    /** Recipes for the chapter's 2x256 LSTM on The Time Machine, one change at a time. */
    @Command(name = "recipes", mixinStandardHelpOptions = true,
            description = "Train the chapter's model with recipes that add one change at a time; same epochs each.")
    static final class Recipes implements Callable<Integer> {
        @Mixin StudyOptions o;

        @Option(names = "--epochs", defaultValue = "60", description = "Epochs per recipe. Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Override
        public Integer call() throws Exception {
            Study study = new Study(o.out, o.runs.resolve("recipes"), log);
            CorpusSpec data = CorpusSpec.of(o.timeMachine());
            record Recipe(String name, String label, OptimizerKind optimizer, float lr, LearningRateSchedule schedule,
                    float dropout, float weightDecay, float average) {}
            List<Recipe> recipes = List.of(
                    new Recipe("chapter", "the chapter: SGD lr 2, no dropout", OptimizerKind.SGD, 2f,
                            LearningRateSchedule.CONSTANT, 0f, 0f, 0f),
                    new Recipe("sgd-dropout", "+ dropout 0.3 (the old default)", OptimizerKind.SGD, 2f,
                            LearningRateSchedule.CONSTANT, 0.3f, 0f, 0f),
                    new Recipe("adam", "Adam lr 0.005 instead of SGD", OptimizerKind.ADAM, 0.005f,
                            LearningRateSchedule.CONSTANT, 0.3f, 0f, 0f),
                    new Recipe("adam-cosine", "+ cosine learning-rate decay", OptimizerKind.ADAM, 0.005f,
                            LearningRateSchedule.COSINE, 0.3f, 0f, 0f),
                    new Recipe("adamw", "+ weight decay 0.05 (AdamW)", OptimizerKind.ADAM, 0.005f,
                            LearningRateSchedule.COSINE, 0.3f, 0.05f, 0f),
                    new Recipe("average", "+ weight averaging (EMA 0.999), no decay", OptimizerKind.ADAM, 0.005f,
                            LearningRateSchedule.COSINE, 0.3f, 0f, 0.999f),
                    new Recipe("dropout-0.5", "cosine Adam with dropout 0.5", OptimizerKind.ADAM, 0.005f,
                            LearningRateSchedule.COSINE, 0.5f, 0f, 0f));
            Map<String, Object> json = new LinkedHashMap<>();
            LineChart.Builder chart = LineChart.builder("Recipes for the 2x" + o.shape.hidden + " LSTM on The Time Machine")
                    .axes("epoch", "held-out perplexity").yMax(6);
            StringBuilder md = new StringBuilder();
            md.append("| recipe | held-out ppl | bits/char | best epoch (ppl) | train ppl | tokens/s | minutes |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            Study.Score baseline = null;
            for (Recipe r : recipes) {
                TrainingSettings s = new TrainingSettings(Partitioning.SEQUENTIAL, r.optimizer(), r.lr(), r.schedule(),
                        0, r.weightDecay(), 1f, r.average(), epochs, 0, o.recipe.batchSize, o.recipe.numSteps,
                        o.recipe.seed, 0);
                TrainingRequest req = Study.request(data, o, Cell.LSTM, s).withSettings(s, r.dropout(), Path.of("x"));
                TrainingOutcome run = study.train(r.name(), req);
                if (baseline == null) {
                    Corpus corpus = Corpus.load(data, req.preprocessing(), req.holdout(), null);
                    baseline = study.score(run, corpus, data.training()).get("total");
                }
                EpochMetrics last = run.last();
                EpochMetrics best = best(run);
                md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %d (%.3f) | %.3f | %.0f | %.1f |\n",
                        r.label(), last.validationPerplexity(), last.validationBitsPerChar(), best.epoch(),
                        best.validationPerplexity(), last.trainPerplexity(), run.medianTokensPerSecond(),
                        run.wallSeconds() / 60));
                chart.series(r.name(), run.epochs().stream().mapToDouble(EpochMetrics::epoch).toArray(),
                        run.epochs().stream().mapToDouble(EpochMetrics::validationPerplexity).toArray(), false, false);
                json.put(r.name(), Map.of("label", r.label(), "epochs", run.epochs()));
            }
            md.append(String.format(Locale.ROOT, "%nOn the same split: modified Kneser-Ney %d-gram %.3f, interpolated"
                    + " character 5-gram (reference) %.3f. %d epochs per recipe, batch %dx%d, seed %d.%n",
                    CharNgram.BEST_ORDER, baseline.kneserNey(), baseline.ngram(), epochs, o.recipe.batchSize,
                    o.recipe.numSteps, o.recipe.seed));
            json.put("ngram5", baseline.ngram());
            json.put("kneser_ney", baseline.kneserNey());
            chart.series("Kneser-Ney " + CharNgram.BEST_ORDER + "-gram", new double[] {1, epochs},
                    new double[] {baseline.kneserNey(), baseline.kneserNey()}, true, false);
            study.write("recipes", md.toString(), chart.build(), GSON.toJson(json));
            return 0;
        }
    }

    /** Exercise 2: GRU against LSTM with the same wall-clock budget. */
    @Command(name = "cells", mixinStandardHelpOptions = true,
            description = "Train LSTM and GRU for the same wall-clock time (constant learning rate), to convergence.")
    static final class Cells implements Callable<Integer> {
        @Mixin StudyOptions o;

        @Option(names = "--minutes", defaultValue = "6", description = "Budget per cell. Default: ${DEFAULT-VALUE}.")
        double minutes;

        @Option(names = "--cells", split = ",", defaultValue = "lstm,gru", description = "Default: ${DEFAULT-VALUE}.")
        List<String> cells;

        @Override
        public Integer call() throws Exception {
            Study study = new Study(o.out, o.runs.resolve("cells"), log);
            CorpusSpec data = CorpusSpec.of(o.timeMachine());
            TrainingSettings budget = o.settings(100_000, minutes, LearningRateSchedule.CONSTANT);
            LineChart.Builder chart = LineChart.builder(String.format(Locale.ROOT,
                    "LSTM and GRU, 2x%d, %.0f minutes each", o.shape.hidden, minutes)).axes("minutes of training", "held-out perplexity").yMax(6);
            StringBuilder md = new StringBuilder();
            md.append("| cell | parameters | held-out ppl | best (epoch) | epochs in budget | tokens/s | minutes |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            Map<String, Object> json = new LinkedHashMap<>();
            Study.Score baseline = null;
            for (String c : cells) {
                Cell cell = Cell.fromId(c);
                TrainingRequest req = Study.request(data, o, cell, budget);
                TrainingOutcome run = study.train(c, req);
                if (baseline == null) {
                    baseline = study.score(run, Corpus.load(data, req.preprocessing(), req.holdout(), null),
                            data.training()).get("total");
                }
                EpochMetrics best = best(run);
                md.append(String.format(Locale.ROOT, "| %s | %,d | %.3f | %.3f (%d) | %d | %.0f | %.1f |\n", c,
                        ParameterLayout.parameterCount(new dev.charlm.trainer.model.ModelSpec(cell, o.shape.layers, o.shape.hidden,
                                28, 0f)),
                        run.last().validationPerplexity(), best.validationPerplexity(), best.epoch(),
                        run.epochs().size(), run.medianTokensPerSecond(), run.wallSeconds() / 60));
                double[] t = new double[run.epochs().size()];
                double sum = 0;
                for (int i = 0; i < t.length; i++) {
                    sum += run.epochs().get(i).wallSeconds() / 60;
                    t[i] = sum;
                }
                chart.series(c, t, run.epochs().stream().mapToDouble(EpochMetrics::validationPerplexity).toArray(),
                        false, false);
                json.put(c, run.epochs());
            }
            md.append(String.format(Locale.ROOT, "%nOn the same split: modified Kneser-Ney %d-gram %.3f, interpolated"
                    + " character 5-gram (reference) %.3f. Each cell: %s, %.0f minutes.%n", CharNgram.BEST_ORDER,
                    baseline.kneserNey(), baseline.ngram(), o.describe(LearningRateSchedule.CONSTANT), minutes));
            json.put("ngram5", baseline.ngram());
            json.put("kneser_ney", baseline.kneserNey());
            chart.series("Kneser-Ney " + CharNgram.BEST_ORDER + "-gram", new double[] {0, minutes},
                    new double[] {baseline.kneserNey(), baseline.kneserNey()}, true, false);
            study.write("cells", md.toString(), chart.build(), GSON.toJson(json));
            return 0;
        }
    }

    /** Exercise 3: the same model and budget on nested, growing sets of texts. */
    @Command(name = "scaling", mixinStandardHelpOptions = true,
            description = "Train on nested sets of texts with the same number of training tokens each.")
    static final class Scaling implements Callable<Integer> {
        @Mixin StudyOptions o;

        @Option(names = "--tokens", defaultValue = "6000000",
                description = "Training tokens per run (epochs = tokens / training characters). Default: ${DEFAULT-VALUE}.")
        long tokens;

        @Option(names = "--sets", split = ",", description = "Number of texts in each set, e.g. 1,2,4,9,12."
                + " Default: 1,4,12 for the library (The Time Machine, the Wells novels, all), else 1..all.")
        List<Integer> sets;

        @Override
        public Integer call() throws Exception {
            Study study = new Study(o.out, o.runs.resolve("scaling"), log);
            List<Path> texts = o.library();
            List<Integer> counts = sets != null ? sets : o.data.isEmpty() ? List.of(1, 4, 12)
                    : java.util.stream.IntStream.rangeClosed(1, texts.size()).boxed().toList();
            boolean strip = o.data.isEmpty();
            StringBuilder md = new StringBuilder();
            md.append("| texts | training characters | epochs | held-out ppl, all texts | Kneser-Ney | 5-gram | held-out ppl, "
                    + firstName(texts) + " | Kneser-Ney | 5-gram | best epoch on its own texts' held-out |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            List<double[]> rows = new ArrayList<>();
            Map<String, Object> json = new LinkedHashMap<>();
            for (int n : counts) {
                CorpusSpec data = new CorpusSpec(texts.subList(0, n), List.of(), strip, 0);
                TrainingRequest base = Study.request(data, o, Cell.LSTM, o.settings(1));
                Corpus corpus = Corpus.load(data, base.preprocessing(), base.holdout(), null);
                long chars = corpus.trainingTokens().length;
                int epochs = (int) Math.max(1, Math.round((double) tokens / chars));
                TrainingRequest req = base.withSettings(o.settings(epochs), o.shape.dropout, Path.of("x"));
                TrainingOutcome run = study.train("texts-" + n, req);
                Map<String, Study.Score> s = study.score(run, corpus, texts);
                Study.Score first = s.get(texts.get(0).getFileName().toString());
                Study.Score all = s.get("total");
                EpochMetrics best = best(run);
                md.append(String.format(Locale.ROOT,
                        "| %d (%s) | %,d | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %d (%.3f; last %.3f) |\n",
                        n, names(texts.subList(0, n)), chars, epochs, all.model(), all.kneserNey(), all.ngram(),
                        first.model(), first.kneserNey(), first.ngram(), best.epoch(), best.validationPerplexity(),
                        run.last().validationPerplexity()));
                rows.add(new double[] {chars, all.model(), all.kneserNey(), first.model(), first.kneserNey()});
                json.put("texts-" + n, Map.of("training_characters", chars, "epochs", epochs, "scores", s));
            }
            LineChart.Builder chart = LineChart.builder("More text, same budget: 2x" + o.shape.hidden + " LSTM vs Kneser-Ney")
                    .axes("training characters", "held-out perplexity").logX(true);
            double[] x = rows.stream().mapToDouble(r -> r[0]).toArray();
            chart.series("LSTM, all texts' held-out", x, col(rows, 1), false, true);
            chart.series("Kneser-Ney, all texts' held-out", x, col(rows, 2), true, true);
            chart.series("LSTM, " + firstName(texts), x, col(rows, 3), false, true);
            chart.series("Kneser-Ney, " + firstName(texts), x, col(rows, 4), true, true);
            md.append(String.format(Locale.ROOT, "%nEach run: %s, about %,d training tokens. Held out: the last 10%%"
                    + " of every text, all %d texts each time. Kneser-Ney: modified, order %d, trained on the same"
                    + " text; 5-gram: the reference script's.%n", o.describe(o.schedule()), tokens, texts.size(),
                    CharNgram.BEST_ORDER));
            study.write("scaling", md.toString(), chart.build(), GSON.toJson(json));
            return 0;
        }
    }

    /** Exercise 4: one author, other authors, or both, at the same training size. */
    @Command(name = "mixing", mixinStandardHelpOptions = true,
            description = "Train on Wells only, Wells and other authors, and other authors only, at the same size.")
    static final class Mixing implements Callable<Integer> {
        @Mixin StudyOptions o;

        @Option(names = "--group-a", defaultValue = "4",
                description = "How many of the texts (the first) are the author's. Default: ${DEFAULT-VALUE} (Wells, in the library).")
        int groupA;

        @Option(names = "--tokens", defaultValue = "6000000", description = "Training tokens per run. Default: ${DEFAULT-VALUE}.")
        long tokens;

        @Override
        public Integer call() throws Exception {
            Study study = new Study(o.out, o.runs.resolve("mixing"), log);
            List<Path> texts = o.library();
            boolean strip = o.data.isEmpty();
            List<Path> a = texts.subList(0, groupA);
            List<Path> b = texts.subList(groupA, texts.size());
            TrainingRequest base = Study.request(CorpusSpec.of(texts), o, Cell.LSTM, o.settings(1));
            long sizeA = trainingCharacters(new CorpusSpec(a, List.of(), strip, 0), base);
            long sizeB = trainingCharacters(new CorpusSpec(b, List.of(), strip, 0), base);
            long size = Math.min(sizeA, sizeB);
            String nameA = o.data.isEmpty() ? Library.WELLS : "group A";
            record Mix(String name, List<Path> files, double shareA) {}
            List<Mix> mixes = List.of(new Mix(nameA + " only", a, 1.0),
                    new Mix(nameA + " and others", texts, (double) sizeA / (sizeA + sizeB)),
                    new Mix("others only", b, 0.0));
            StringBuilder md = new StringBuilder();
            md.append("| trained on | " + nameA + " share | training characters | held-out ppl, " + nameA
                    + " | Kneser-Ney | 5-gram | held-out ppl, others | Kneser-Ney | 5-gram |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            Map<String, Object> json = new LinkedHashMap<>();
            List<double[]> rows = new ArrayList<>();
            for (Mix m : mixes) {
                CorpusSpec data = new CorpusSpec(m.files(), List.of(), strip, size);
                Corpus corpus = Corpus.load(data, base.preprocessing(), base.holdout(), null);
                int epochs = (int) Math.max(1, Math.round((double) tokens / corpus.trainingTokens().length));
                TrainingOutcome run = study.train(m.name().replace(' ', '-'),
                        Study.request(data, o, Cell.LSTM, o.settings(epochs)));
                Study.Score onA = total(study.score(run, corpus, a));
                Study.Score onB = total(study.score(run, corpus, b));
                md.append(String.format(Locale.ROOT, "| %s | %.0f%% | %,d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n",
                        m.name(), m.shareA() * 100, corpus.trainingTokens().length, onA.model(), onA.kneserNey(),
                        onA.ngram(), onB.model(), onB.kneserNey(), onB.ngram()));
                rows.add(new double[] {m.shareA() * 100, onA.model(), onA.kneserNey(), onB.model(), onB.kneserNey()});
                json.put(m.name(), Map.of("share_a", m.shareA(), "on_a", onA, "on_b", onB, "epochs", epochs));
            }
            rows.sort((x, y) -> Double.compare(x[0], y[0]));
            double[] x = rows.stream().mapToDouble(r -> r[0]).toArray();
            LineChart chart = LineChart.builder("Mixing authors at " + Study.millions(size) + " training characters")
                    .axes(nameA + "'s share of the training text (%)", "held-out perplexity")
                    .series("LSTM on " + nameA, x, col(rows, 1), false, true)
                    .series("Kneser-Ney on " + nameA, x, col(rows, 2), true, true)
                    .series("LSTM on others", x, col(rows, 3), false, true)
                    .series("Kneser-Ney on others", x, col(rows, 4), true, true).build();
            md.append(String.format(Locale.ROOT, "%nEach run: %,d training characters (the smaller group's size), about"
                    + " %,d training tokens, %s. Held out: the last 10%% of every text.%n", size, tokens,
                    o.describe(o.schedule())));
            study.write("mixing", md.toString(), chart, GSON.toJson(json));
            return 0;
        }

        private static long trainingCharacters(CorpusSpec data, TrainingRequest base) throws InvalidTextException {
            return Corpus.load(data, base.preprocessing(), base.holdout(), null).trainingTokens().length;
        }

        private static Study.Score total(Map<String, Study.Score> scores) {
            return scores.get("total");
        }
    }

    /** The yardsticks every study quotes, on their own: Kneser-Ney and the 5-gram on a split, per file and in total. */
    @Command(name = "ngram", mixinStandardHelpOptions = true,
            description = "Train modified Kneser-Ney of each --order and the reference 5-gram on the first 90%% of"
                    + " each text, and score each text's last 10%%, each --data group and all of them (no neural"
                    + " network; seconds to a minute). Default data: library.")
    static final class Ngram implements Callable<Integer> {
        @Mixin HeldOutMixin heldOut;

        @Override
        public Integer call() throws Exception {
            List<Integer> ks = heldOut.orders();
            HeldOutTable.Split split = heldOut.split(List.of(Library.NAME));
            HeldOutTable.print(System.out, split, HeldOutTable.ngrams(split, ks));
            return 0;
        }
    }

    /** The epoch with the lowest held-out perplexity. */
    private static EpochMetrics best(TrainingOutcome run) {
        return run.epochs().stream()
                .min((a, b) -> Double.compare(a.validationPerplexity(), b.validationPerplexity())).orElseThrow();
    }

    private static double[] col(List<double[]> rows, int i) {
        return rows.stream().mapToDouble(r -> r[i]).toArray();
    }

    private static String firstName(List<Path> texts) {
        return texts.get(0).getFileName().toString();
    }

    private static String names(List<Path> texts) {
        if (texts.size() > 2) {
            return texts.get(0).getFileName() + " ... " + texts.get(texts.size() - 1).getFileName();
        }
        return String.join(", ", texts.stream().map(p -> p.getFileName().toString()).toList());
    }
}
