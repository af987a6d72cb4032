package dev.charlm.exporter;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.trainer.checkpoint.CheckpointException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code charlm export}: checkpoint to one verified ONNX file. */
@Command(name = "charlm export", mixinStandardHelpOptions = true,
        description = "Freeze a training checkpoint into one self-describing ONNX file, after proving"
                + " ONNX Runtime computes what DJL computes (max |diff| <= 1e-4 on logits and states).",
        footer = {"", "Exit status: 0 written, 1 parity check failed or internal error, 2 bad input."})
public final class ExportCommand implements Callable<Integer> {

    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILED = 1;

    @Parameters(paramLabel = "CHECKPOINT_DIR", description = "A directory written by charlm train.")
    Path checkpoint;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "The .onnx file to write.")
    Path output;

    private final PrintStream out;

    ExportCommand(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    public static int execute(String[] args, PrintStream stdout, PrintStream stderr) {
        CommandLine cl = new CommandLine(new ExportCommand(stdout));
        cl.setOut(new PrintWriter(stdout, true));
        cl.setErr(new PrintWriter(stderr, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            stderr.println("charlm export: error: " + ex.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof CheckpointException || ex instanceof InvalidTextException) {
                stderr.println("charlm export: error: " + ex.getMessage());
                return EXIT_USAGE;
            }
            if (ex instanceof Exporter.ParityException) {
                stderr.println("charlm export: error: " + ex.getMessage());
                return EXIT_FAILED;
            }
            if (ex instanceof java.io.IOException) {
                // The file system failed us (disk full, permissions changed): not a usage error.
                stderr.println("charlm export: error: " + ex.getMessage());
                return EXIT_FAILED;
            }
            // Not the user's mistake: say so, with the trace for a bug report.
            stderr.println("charlm export: internal error: " + ex);
            ex.printStackTrace(stderr);
            return EXIT_FAILED;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        Exporter.Result r = new Exporter().export(checkpoint, output);
        out.printf(Locale.ROOT, "wrote %s (%.1f MB)%n", r.output(), r.bytes() / 1e6);
        out.printf(Locale.ROOT, "parity with DJL: max |diff| / max(1, |value|) %.2e on logits, %.2e on states over"
                        + " %d runs (1 batch + %d single steps; tolerance %.0e)%n",
                r.parity().maxLogitDiff(), r.parity().maxStateDiff(), r.parity().comparisons(),
                r.parity().comparisons() - 1, ParityCheck.TOLERANCE);
        out.printf(Locale.ROOT, "held-out perplexity %.4f over %d predictions (DJL on the checkpoint: %.4f,"
                + " relative difference %.1e)%n", r.heldOut().perplexity(), r.heldOut().count(),
                r.djlHeldOut().perplexity(), Exporter.relativeDifference(r.heldOut(), r.djlHeldOut()));
        return 0;
    }
}
