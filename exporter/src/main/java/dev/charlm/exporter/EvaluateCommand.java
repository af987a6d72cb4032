package dev.charlm.exporter;

import dev.charlm.cli.Cli;
import dev.charlm.cli.ModelMixin;
import dev.charlm.cli.UsageError;
import dev.charlm.contract.Precision;
import dev.charlm.contract.Preprocessing;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import dev.charlm.sdk.ScoreListener;
import dev.charlm.sdk.ScoreOutcome;
import dev.charlm.sdk.ScoringMode;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.sdk.TextSource;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.study.HeldOutMixin;
import dev.charlm.trainer.study.HeldOutTable;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code charlm evaluate}: frozen models' held-out perplexity on the trainer's split, beside
 * modified Kneser-Ney and the reference 5-gram trained on the same split's first 90%. The figures
 * README and docs/results.md give for the built-in models come from here.
 */
@Command(name = "charlm evaluate", mixinStandardHelpOptions = true,
        description = "Score models on each text's last 10%% (the trainer's split, d2l preprocessing, exact mode),"
                + " beside modified Kneser-Ney of each --order and the reference 5-gram trained on the first 90%%;"
                + " a row per text, per --data argument and in total. Default data: library and more.")
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "FILE|NAME",
            description = "A model file or a built-in model's name (repeatable). Default: default and large.")
    List<String> models = new ArrayList<>();

    @Option(names = "--precision", paramLabel = "P", converter = ModelMixin.PrecisionIds.class,
            description = "fp32 or int8: which twin of the built-in models. Default: fp32.")
    Precision precision;

    @Mixin HeldOutMixin heldOut;

    private final PrintStream out;
    private final PrintStream err;

    EvaluateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    static int execute(String[] args, PrintStream stdout, PrintStream stderr) {
        return Cli.execute(new EvaluateCommand(stdout, stderr), args, stdout, stderr);
    }

    @Override
    public Integer call() throws Exception {
        List<String> names = models.isEmpty() ? List.of("default", "large") : models;
        List<ModelMixin> chosen = new ArrayList<>();
        List<Integer> ks = heldOut.orders();
        // Every model loads and is checked before the texts are read: a wrong name costs nothing.
        List<CharModel> loaded = new ArrayList<>();
        try {
            for (String name : names) {
                chosen.add(ModelMixin.of(name, precision));
                loaded.add(chosen.get(chosen.size() - 1).load(ModelOptions.forScoring()));
                Preprocessing p = loaded.get(loaded.size() - 1).info().metadata().preprocessing();
                if (p != Preprocessing.D2L) {
                    throw new UsageError(name + ": is a " + p.id() + " model; evaluate compares on d2l-preprocessed text");
                }
            }
            HeldOutTable.Split split = heldOut.split(List.of(Library.NAME, Library.MORE));
            long characters = split.heldOut().stream().mapToLong(String::length).sum();
            List<HeldOutTable.Column> columns = new ArrayList<>();
            for (int i = 0; i < chosen.size(); i++) {
                long t0 = System.nanoTime();
                columns.add(column(chosen.get(i).name(), loaded.get(i), split, err));
                err.printf(Locale.ROOT, "charlm evaluate: %s scored %,d characters in %.1f s%n", chosen.get(i).name(),
                        characters, (System.nanoTime() - t0) / 1e9);
            }
            columns.addAll(HeldOutTable.ngrams(split, ks));
            HeldOutTable.print(out, split, columns);
            return 0;
        } finally {
            loaded.forEach(CharModel::close);
        }
    }

    /**
     * {@code model}'s column: each held-out part scored from a zero state (exact mode, the parts
     * batched as rows), as the trainer and the exporter measure it. The model is a d2l one, as the
     * split's text is.
     */
    static HeldOutTable.Column column(String name, CharModel model, HeldOutTable.Split split, PrintStream progress) {
        List<String> parts = split.heldOut();
        List<TextSource> sources = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            sources.add(TextSource.of(split.corpus().sources().get(i).path().getFileName().toString(),
                    parts.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        long total = parts.stream().mapToLong(String::length).sum();
        List<ScoreOutcome> outcomes = model.newScorer(ScoringOptions.builder().mode(ScoringMode.EXACT).build())
                .scoreSources(sources, new ScoreListener() {
                    private long next = 0;

                    @Override
                    public void onProgress(long scored, int done, int inputs) {
                        if (progress != null && scored >= next) {
                            progress.printf(Locale.ROOT, "charlm evaluate: %s %3.0f%%%n", name, 100.0 * scored / total);
                            next = scored + total / 10;
                        }
                    }
                });
        double[] nll = new double[parts.size()];
        for (int i = 0; i < nll.length; i++) {
            nll[i] = outcomes.get(i).report().orElseThrow(() -> new IllegalStateException(
                    "a held-out part could not be scored")).totalNll();
        }
        return new HeldOutTable.Column(name, nll);
    }
}
