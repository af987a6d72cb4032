package dev.charlm.sdk;

import dev.charlm.contract.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the front ends print scores, written once so that they print the same: the command line's
 * table or JSON lines on one stream, outcome by outcome as they are handed over, then the total;
 * each failure as one line on the other stream. The JSON forms are the HTTP API's too: a text
 * {@code {"file": ..., "perplexity": ...}} ({@link ScoreReport#toJson}), a failure {@code
 * {"file": ..., "error": ...}}, a total {@code {"total": true, "files": N, "perplexity": ...}}.
 *
 * <p>A stream that can no longer be written (a reader that closed the pipe, as {@code head}
 * does) is reported by {@link #print} returning false, so the caller can stop its work.
 */
public final class ScoreOutput {

    private final boolean json;
    private final PrintStream out;
    private final PrintStream err;
    private final String command;
    private final List<ScoreReport> reports = new ArrayList<>();
    private int printed;
    private int failed;

    /**
     * @param json JSON lines instead of a table
     * @param command names the front end in the failure lines ("charlm score")
     */
    public ScoreOutput(boolean json, PrintStream out, PrintStream err, String command) {
        this.json = json;
        this.out = out;
        this.err = err;
        this.command = command;
    }

    /** Prints the table's header (nothing for JSON lines); false if the output is closed. */
    public boolean begin() {
        if (!json) {
            out.printf("%-40s %10s %9s %12s %9s%n", "file", "perplexity", "bits/char", "characters", "unknown");
        }
        out.flush();
        return !out.checkError();
    }

    /** Prints one outcome; false if the output is closed. */
    public boolean print(ScoreOutcome o) {
        printed++;
        if (o.report().isPresent()) {
            ScoreReport r = o.report().get();
            reports.add(r);
            out.println(json ? r.toJson() : row(r));
        } else {
            failed++;
            err.println(command + ": " + printable(o.error().orElseThrow()));
            if (json) {
                out.println(failureJson(o.name(), o.error().orElseThrow()));
            }
        }
        out.flush();
        return !out.checkError();
    }

    /**
     * Prints the total of what was printed and, on the other stream, how many failed; a run that
     * was interrupted says so in both.
     *
     * @param inputs how many inputs there were in all
     * @return how many of the printed outcomes failed
     */
    public int finish(int inputs, boolean interrupted) {
        if (!reports.isEmpty()) {
            ScoreReport total = ScoreReport.total("total", reports);
            if (json) {
                out.println(totalJson(total, reports.size(), interrupted));
            } else {
                out.println(row(total, interrupted ? "total (interrupted)" : "total"));
            }
        }
        out.flush();
        if (failed > 0) {
            err.println(command + ": " + failed + " of " + inputs + " files could not be scored");
        }
        if (interrupted) {
            err.println(command + ": interrupted: " + printed + " of " + inputs + " files were done; the total is theirs");
        }
        return failed;
    }

    /** Prints every outcome, then the total; returns how many failed. */
    public static int print(List<ScoreOutcome> outcomes, boolean json, PrintStream out, PrintStream err, String command) {
        ScoreOutput output = new ScoreOutput(json, out, err, command);
        output.begin();
        for (ScoreOutcome o : outcomes) {
            output.print(o);
        }
        return output.finish(outcomes.size(), false);
    }

    /** The JSON form of a text that could not be scored. */
    public static String failureJson(String name, String error) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("file", name);
        line.put("error", error);
        return Json.write(line);
    }

    /** The JSON form of a total over {@code files} scored texts. */
    public static String totalJson(ScoreReport total, int files, boolean interrupted) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("total", true);
        line.put("files", files);
        total.putFigures(line);
        if (interrupted) {
            line.put("interrupted", true);
        }
        return Json.write(line);
    }

    /** One table row; the name shortened from the left to 40 columns. */
    static String row(ScoreReport r) {
        return row(r, r.name());
    }

    private static String row(ScoreReport r, String label) {
        String n = printable(label);
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
