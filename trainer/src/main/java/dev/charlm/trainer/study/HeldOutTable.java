package dev.charlm.trainer.study;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Perplexity;
import dev.charlm.contract.Preprocessing;
import dev.charlm.trainer.TrainCommand;
import dev.charlm.trainer.data.Corpus;
import dev.charlm.trainer.data.CorpusSpec;
import dev.charlm.trainer.data.Library;
import dev.charlm.trainer.data.SourceText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Held-out perplexity of several models side by side on the trainer's split (each text's last
 * 10%, d2l preprocessing): a row per text, one per {@code --data} argument when there are several,
 * and the total. Each row counts every character of its parts; the first of each part is not
 * predicted, as in training.
 */
public final class HeldOutTable {

    /** A model's column: its name and its total negative log-likelihood (nats) on each part, in corpus order. */
    public record Column(String name, double[] nll) {}

    /** The texts of {@code --data} arguments, split as the trainer splits them, and which argument gave which. */
    public record Split(Corpus corpus, Map<String, Integer> groups) {

        /** Loads {@code args} ({@code library}, {@code more}, files, folders, globs); the manifests' front matter is stripped. */
        public static Split load(List<String> args, boolean stripFrontMatter) throws InvalidTextException, IOException {
            Map<String, Integer> groups = new LinkedHashMap<>();
            List<Path> texts = new ArrayList<>();
            for (String a : args) {
                List<Path> files = TrainCommand.paths(List.of(a));
                groups.merge(a, files.size(), Integer::sum);
                texts.addAll(files);
            }
            boolean manifest = args.stream().anyMatch(a -> Library.named(a).isPresent());
            Corpus corpus = Corpus.load(new CorpusSpec(texts, List.of(), stripFrontMatter || manifest, 0),
                    Preprocessing.D2L, 0.1, null);
            return new Split(corpus, groups);
        }

        /** The held-out parts, in order. */
        public List<String> heldOut() {
            return corpus.sources().stream().map(SourceText::heldOut).toList();
        }

        /** The perplexity of {@code column} over the parts of {@code group} (an argument of {@link #load}). */
        public double perplexity(Column column, String group) {
            int from = 0;
            for (Map.Entry<String, Integer> g : groups.entrySet()) {
                if (g.getKey().equals(group)) {
                    return perplexity(column, from, from + g.getValue());
                }
                from += g.getValue();
            }
            throw new IllegalArgumentException("no group " + group + " in " + groups.keySet());
        }

        /** The perplexity of {@code column} over parts {@code [from, to)}. */
        public double perplexity(Column column, int from, int to) {
            double nll = 0;
            long predictions = 0;
            for (int i = from; i < to; i++) {
                nll += column.nll()[i];
                predictions += corpus.sources().get(i).heldOut().length() - 1;
            }
            return Perplexity.of(nll, predictions);
        }
    }

    private HeldOutTable() {}

    /** Modified Kneser-Ney of each order and the reference 5-gram, trained on the split's first 90% of each text. */
    public static List<Column> ngrams(Split split, List<Integer> orders) {
        List<Column> columns = new ArrayList<>();
        for (int k : orders) {
            columns.add(column("KN-" + k, Study.kneserNey(split.corpus(), split.corpus(), k), split));
        }
        columns.add(column("5-gram ref", Study.ngram(split.corpus(), split.corpus()), split));
        return columns;
    }

    private static Column column(String name, CharNgram model, Split split) {
        List<String> parts = split.heldOut();
        double[] nll = new double[parts.size()];
        for (int i = 0; i < nll.length; i++) {
            nll[i] = model.totalNll(parts.get(i));
        }
        return new Column(name, nll);
    }

    /** Prints the table: a row per text, per group (when there are several) and the total. */
    public static void print(PrintStream out, Split split, List<Column> columns) {
        List<SourceText> sources = split.corpus().sources();
        int width = Math.max(16, sources.stream().mapToInt(s -> s.path().getFileName().toString().length()).max()
                .orElse(0));
        width = Math.max(width, split.groups().keySet().stream().mapToInt(g -> g.length() + 7).max().orElse(0));
        int columnWidth = Math.max(10, columns.stream().mapToInt(c -> c.name().length()).max().orElse(0));
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %12s", "held-out part of",
                "characters"));
        for (Column c : columns) {
            header.append(String.format(Locale.ROOT, " %" + columnWidth + "s", c.name()));
        }
        out.println(header);
        for (int i = 0; i < sources.size(); i++) {
            row(out, width, columnWidth, sources.get(i).path().getFileName().toString(), split, columns, i, i + 1);
        }
        if (split.groups().size() > 1) {
            int from = 0;
            for (Map.Entry<String, Integer> g : split.groups().entrySet()) {
                row(out, width, columnWidth, "total, " + g.getKey(), split, columns, from, from + g.getValue());
                from += g.getValue();
            }
        }
        row(out, width, columnWidth, "total", split, columns, 0, sources.size());
    }

    private static void row(PrintStream out, int width, int columnWidth, String name, Split split, List<Column> columns,
            int from, int to) {
        long characters = 0;
        for (int i = from; i < to; i++) {
            characters += split.corpus().sources().get(i).heldOut().length();
        }
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %12s", name,
                String.format(Locale.ROOT, "%,d", characters)));
        for (Column c : columns) {
            row.append(String.format(Locale.ROOT, " %" + columnWidth + ".3f", split.perplexity(c, from, to)));
        }
        out.println(row);
    }
}
