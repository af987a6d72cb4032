package dev.charlm.bench;

import dev.charlm.contract.Precision;
import dev.charlm.sdk.BuiltInModel;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./charlm bench models}: the built-in models in both precisions side by side in one run,
 * interleaved: file size, scoring (segmented, two intra-op threads, Pride and Prejudice) and
 * batch-1 streaming (one thread), medians, each as a ratio to the default fp32 model. Their
 * perplexities come from {@code ./charlm evaluate}; README's model table joins the two.
 */
public final class ModelsBench {

    private ModelsBench() {}

    private record Variant(BuiltInModel model, Precision precision, byte[] bytes) {
        String name() {
            return model.id() + " " + precision.id();
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path data = Path.of(System.getProperty("charlm.shared.data", "../shared/data"));
        Path novel = data.resolve("pride_and_prejudice.txt");
        List<Variant> variants = new ArrayList<>();
        for (BuiltInModel m : BuiltInModel.values()) {
            for (Precision p : Precision.values()) {
                try (InputStream in = CharModel.class.getResourceAsStream(m.resource(p))) {
                    variants.add(new Variant(m, p, in.readAllBytes()));
                }
            }
        }
        int n = variants.size();
        double[][] scoring = new double[n][runs];
        double[][] streaming = new double[n][runs];
        double[][] perCharacter = new double[n][runs];
        long chars;
        try (CharModel m = CharModel.loadDefault()) {
            chars = m.newScorer().score(novel).characters();
        }
        for (int r = 0; r < runs; r++) {
            for (int v = 0; v < n; v++) {
                Variant x = variants.get(v);
                try (CharModel m = CharModel.load(x.bytes(), x.name(), ModelOptions.forScoring())) {
                    Int8Bench.scoringRate(m, novel, chars);   // warm-up: the first call pays ONNX Runtime's set-up
                    scoring[v][r] = Int8Bench.scoringRate(m, novel, chars);
                }
                try (CharModel m = CharModel.load(x.bytes(), x.name(), ModelOptions.defaults())) {
                    Int8Bench.stream(m, 2_000);
                    double[] s = Int8Bench.stream(m, 20_000);
                    streaming[v][r] = s[0];
                    perCharacter[v][r] = s[1];
                }
            }
            System.err.printf(Locale.ROOT, "bench models: run %d of %d done%n", r + 1, runs);
        }
        System.out.printf(Locale.ROOT, "built-in models, medians of %d interleaved runs%n%n", runs);
        System.out.printf(Locale.ROOT, "%-14s %10s %30s %30s %16s%n", "model", "size (MB)",
                "scoring chars/s (vs default)", "streaming chars/s (vs default)", "us per character");
        double scoring0 = Int8Bench.median(scoring[0]);
        double streaming0 = Int8Bench.median(streaming[0]);
        for (int v = 0; v < n; v++) {
            double s = Int8Bench.median(scoring[v]);
            double g = Int8Bench.median(streaming[v]);
            System.out.printf(Locale.ROOT, "%-14s %10.2f %21.0f (%5.2fx) %21.0f (%5.2fx) %16.1f%n", variants.get(v).name(),
                    variants.get(v).bytes().length / 1e6, s, s / scoring0, g, g / streaming0,
                    Int8Bench.median(perCharacter[v]));
        }
    }
}
