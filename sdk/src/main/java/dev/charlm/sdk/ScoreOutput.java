package dev.charlm.sdk;

import dev.charlm.contract.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the command-line front ends ({@code charlm score}, {@code charlm spark-score}) print
 * outcomes, written once so that they print the same: a table or JSON lines ({@link
 * ScoreReport#toJson}) on one stream, then the total; each failure as one line on the other.
 */
public final class ScoreOutput {

    private ScoreOutput() {}

    /**
     * Prints the outcomes in order.
     *
     * @param command names the front end in the failure lines ("charlm score")
     * @return how many inputs failed
     */
    public static int print(List<ScoreOutcome> outcomes, boolean json, PrintStream out, PrintStream err, String command) {
        List<ScoreReport> reports = new ArrayList<>();
        int failed = 0;
        if (!json) {
            out.printf("%-40s %10s %9s %12s %9s%n", "file", "perplexity", "bits/char", "characters", "unknown");
        }
        for (ScoreOutcome o : outcomes) {
            if (o.report().isPresent()) {
                ScoreReport r = o.report().get();
                reports.add(r);
                out.println(json ? r.toJson("file") : row(r));
            } else {
                failed++;
                err.println(command + ": " + printable(o.error().orElseThrow()));
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("file", o.name());
                    line.put("error", o.error().orElseThrow());
                    out.println(Json.write(line));
                }
            }
        }
        if (!reports.isEmpty()) {
            ScoreReport total = ScoreReport.total("total", reports);
            out.println(json ? total.toJson("total") : row(total));
        }
        if (failed > 0) {
            err.println(command + ": " + failed + " of " + outcomes.size() + " files could not be scored");
        }
        return failed;
    }

    /** One table row; the name shortened from the left to 40 columns. */
    static String row(ScoreReport r) {
        String n = printable(r.name());
        String name = n.length() > 40 ? "..." + n.substring(n.length() - 37) : n;
        return String.format(Locale.ROOT, "%-40s %10.4f %9.4f %12d %9d", name, r.perplexity(), r.bitsPerCharacter(),
                r.characters(), r.unknownCharacters());
    }

    /** Text as it can be shown on a terminal: control characters (in a file name, say) escaped. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
