package dev.charlm.trainer.study;

import dev.charlm.contract.InvalidFieldException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --data}, {@code --order} and {@code --strip-front-matter}: the split and the Kneser-Ney
 * orders of a held-out table ({@link HeldOutTable}), as {@code study ngram} and {@code evaluate}
 * take them.
 */
public class HeldOutMixin {

    @Option(names = "--data", paramLabel = "FILE|DIR|GLOB|library|more",
            description = "The texts (repeatable; each argument's texts also get a total). Default: the command's, above.")
    List<String> data = new ArrayList<>();

    @Option(names = "--order", split = ",", paramLabel = "N",
            description = "Kneser-Ney orders (repeatable or comma-separated). Default: " + CharNgram.BEST_ORDER
                    + ", the best on the library.")
    List<Integer> orders = new ArrayList<>();

    @Option(names = "--strip-front-matter", description = "Strip Project Gutenberg front matter (always for library and more).")
    boolean strip;

    /** The texts named, or {@code fallback}, split as the trainer splits them. */
    public HeldOutTable.Split split(List<String> fallback) throws Exception {
        return HeldOutTable.Split.load(data.isEmpty() ? fallback : data, strip);
    }

    /** The Kneser-Ney orders, each checked. */
    public List<Integer> orders() {
        List<Integer> ks = orders.isEmpty() ? List.of(CharNgram.BEST_ORDER) : orders;
        for (int k : ks) {
            if (k < 1 || k > 12) {
                throw new InvalidFieldException("order", "must be in [1, 12], got " + k);
            }
        }
        return ks;
    }
}
