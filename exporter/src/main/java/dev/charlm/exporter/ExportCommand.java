package dev.charlm.exporter;

import dev.charlm.cli.Cli;
import dev.charlm.contract.Precision;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code charlm export}: checkpoint to one verified ONNX file. */
@Command(name = "charlm export", mixinStandardHelpOptions = true,
        description = "Freeze a training checkpoint into one self-describing ONNX file, after proving"
                + " ONNX Runtime computes what DJL computes (max |diff| <= 1e-4 on logits and states).",
        footer = {"", "A checkpoint that fails the parity check, or a model that cannot be written, is exit status 1:"
                + " the input could not be exported, and nothing was written."})
public final class ExportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CHECKPOINT_DIR", description = "A directory written by charlm train.")
    Path checkpoint;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "The .onnx file to write.")
    Path output;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32", converter = PrecisionIds.class,
            description = "fp32, or int8 (LSTM weights per-row int8: a quarter of the size; checked to score within"
                    + " 0.5%% of fp32 on the held-out text). Default: ${DEFAULT-VALUE}.")
    Precision precision;

    private final PrintStream out;
    private final PrintStream err;

    ExportCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    public static int execute(String[] args, PrintStream stdout, PrintStream stderr) {
        return Cli.execute(new ExportCommand(stdout, stderr), args, stdout, stderr);
    }

    @Override
    public Integer call() throws Exception {
        Exporter.Result r;
        try {
            r = new Exporter().export(checkpoint, output, precision);
        } catch (Exporter.ParityException | java.io.IOException e) {
            // The checkpoint could not be exported faithfully, or the disk failed us: nothing written.
            err.println("charlm export: error: " + e.getMessage());
            return Cli.SOME_INPUTS_FAILED;
        }
        out.printf(Locale.ROOT, "wrote %s (%.1f MB)%n", r.output(), r.bytes() / 1e6);
        out.printf(Locale.ROOT, "parity with DJL: max |diff| / max(1, |value|) %.2e on logits, %.2e on states over"
                        + " %d runs (1 batch + %d single steps; tolerance %.0e)%n",
                r.parity().maxLogitDiff(), r.parity().maxStateDiff(), r.parity().comparisons(),
                r.parity().comparisons() - 1, ParityCheck.TOLERANCE);
        out.printf(Locale.ROOT, "held-out perplexity %.4f over %d predictions (DJL on the checkpoint: %.4f,"
                + " relative difference %.1e)%n", r.heldOut().perplexity(), r.heldOut().count(),
                r.djlHeldOut().perplexity(), Exporter.relativeDifference(r.heldOut(), r.djlHeldOut()));
        r.int8().ifPresent(c -> out.println(c.describe()));
        return Cli.DONE;
    }

    /** --precision by its id. */
    static final class PrecisionIds implements picocli.CommandLine.ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return Precision.fromId(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
