package dev.charlm.sdk;

import dev.charlm.contract.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the front ends print record scores, written once: a JSON line per record in input order
 * ({@link RecordScore#toJson}: record lines have {@code line}), after each file's records a line
 * with its total ({@code records}, {@code failed} and the figures over the records scored, the
 * per-file form of {@code score --json}), and at the end the total over everything ({@code
 * "total": true}). The first failures are also named on the other stream, then only counted,
 * so a corpus with many bad lines does not flood a terminal.
 */
public final class RecordOutput {

    /** Failures named one by one on the error stream before they are only counted. */
    static final int NAMED_FAILURES = 10;

    private final PrintStream out;
    private final PrintStream err;
    private final String command;
    private final List<String> files;
    private int file = -1;
    private final List<ScoreReport> fileReports = new ArrayList<>();
    private long fileRecords;
    private long fileFailed;
    private final List<ScoreReport> all = new ArrayList<>();
    private long records;
    private long failed;

    /** @param files the inputs in order, each named as its records' {@link RecordScore#source()} */
    public RecordOutput(PrintStream out, PrintStream err, String command, List<String> files) {
        this.out = out;
        this.err = err;
        this.command = command;
        this.files = files;
    }

    /** Prints a record's line (after the totals of the files before it); false if the output is closed. */
    public boolean print(RecordScore s) {
        while (file < 0 || !files.get(file).equals(s.source())) {
            if (file >= 0) {
                fileTotal();
            }
            file++;
            if (file == files.size()) {
                throw new IllegalStateException(s.source() + " is not one of the inputs, or out of order");
            }
        }
        out.println(s.toJson());
        fileRecords++; // a file that cannot be read counts as one failed record, with its error
        records++;
        if (s.report().isPresent()) {
            fileReports.add(s.report().get());
        } else {
            fileFailed++;
            failed++;
            if (failed <= NAMED_FAILURES) {
                err.println(command + ": " + ScoreOutput.printable(s.outcome().failure().orElseThrow().getMessage()));
            }
        }
        out.flush();
        return !out.checkError();
    }

    private void fileTotal() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("file", files.get(file));
        line.put("records", fileRecords);
        line.put("failed", fileFailed);
        if (!fileReports.isEmpty()) {
            ScoreReport total = ScoreReport.total(files.get(file), fileReports);
            total.putFigures(line);
            all.add(total);
        }
        out.println(Json.write(line));
        fileReports.clear();
        fileRecords = 0;
        fileFailed = 0;
    }

    /**
     * Prints the totals of the files not yet closed (all of them, or up to the last record printed
     * when interrupted), then the overall total; says on the other stream how many failed.
     *
     * @return how many records (or files that could not be read) failed
     */
    public long finish(boolean interrupted) {
        if (file >= 0) {
            fileTotal();
        }
        if (!interrupted) {
            while (++file < files.size()) {
                fileTotal();
            }
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("total", true);
        line.put("files", interrupted ? Math.max(file, 0) : files.size());
        line.put("records", records);
        line.put("failed", failed);
        if (!all.isEmpty()) {
            ScoreReport.total("total", all).putFigures(line);
        }
        if (interrupted) {
            line.put("interrupted", true);
        }
        out.println(Json.write(line));
        out.flush();
        if (failed > 0) {
            err.println(command + ": " + failed + " of " + records + " records could not be scored"
                    + (failed > NAMED_FAILURES ? " (the first " + NAMED_FAILURES + " are named above; every one has"
                            + " its error in the output)" : ""));
        }
        if (interrupted) {
            err.println(command + ": interrupted: " + records + " records were done; the totals are theirs");
        }
        return failed;
    }
}
