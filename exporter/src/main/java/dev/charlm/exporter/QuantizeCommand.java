package dev.charlm.exporter;

import dev.charlm.cli.Cli;
import dev.charlm.cli.UsageError;
import dev.charlm.contract.AtomicFiles;
import dev.charlm.contract.InputPaths;
import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.Precision;
import dev.charlm.contract.onnx.OnnxFile;
import dev.charlm.sdk.InvalidModelException;
import dev.charlm.sdk.ScoringOptions;
import dev.charlm.sdk.TextSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code charlm quantize}: an fp32 model file to its int8 twin, for a model already exported
 * (the built-in one among them), checked on real text before it is written.
 */
@Command(name = "charlm quantize", mixinStandardHelpOptions = true,
        description = "Write the int8 twin of an fp32 charlm model (LSTM weights per-row int8, a quarter of the size),"
                + " after checking that it scores the check texts within 0.5%% of the fp32 model.")
public final class QuantizeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL", description = "An fp32 model written by charlm export.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "The int8 .onnx file to write.")
    Path output;

    @Option(names = "--check-data", paramLabel = "FILE|DIR|GLOB",
            description = "Texts both models score for the check (repeatable). Default: the three novels of the shared"
                    + " data folder (The Time Machine, The War of the Worlds, Pride and Prejudice).")
    List<String> checkData = new ArrayList<>();

    private final PrintStream out;
    private final PrintStream err;

    QuantizeCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    static int execute(String[] args, PrintStream stdout, PrintStream stderr) {
        return Cli.execute(new QuantizeCommand(stdout, stderr), args, stdout, stderr);
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(input)) {
            throw new UsageError(input + ": " + (Files.exists(input) ? "not a regular file" : "no such model file"));
        }
        if (Files.exists(output) && Files.isSameFile(input, output)) {
            throw new UsageError(output + ": is the model being quantized; write the int8 model to another file");
        }
        AtomicFiles.checkTarget(output);
        byte[] fp32 = Files.readAllBytes(input);
        OnnxFile file;
        ModelMetadata metadata;
        try {
            file = OnnxFile.parse(fp32);
            metadata = ModelMetadata.fromProperties(file.metadata());
        } catch (IllegalArgumentException | ModelMetadata.InvalidMetadataException e) {
            throw new UsageError(input + ": not a charlm model (" + e.getMessage() + ")");
        }
        if (metadata.precision() != Precision.FP32) {
            throw new UsageError(input + ": is already " + metadata.precision().id());
        }
        if (metadata.cell() != dev.charlm.contract.Cell.LSTM) {
            throw new UsageError(input + ": a " + metadata.cell().id() + " model has no int8 kernel in ONNX Runtime"
                    + " (DynamicQuantizeLSTM is LSTM's); it stays fp32");
        }
        byte[] int8;
        try {
            int8 = Quantizer.quantize(file, metadata, "sha256:" + Exporter.sha256(input) + " of " + input.getFileName());
        } catch (IllegalArgumentException e) {
            throw new UsageError(input + ": " + e.getMessage());
        }
        List<TextSource> texts = new ArrayList<>();
        for (Path p : checkTexts()) {
            texts.add(TextSource.of(p));
        }
        Quantizer.Check check;
        try {
            check = Quantizer.check(fp32, int8, texts, ScoringOptions.defaults());
        } catch (Quantizer.QuantizationException e) {
            err.println("charlm quantize: error: " + e.getMessage() + "; " + output + " not written");
            return Cli.SOME_INPUTS_FAILED;
        } catch (InvalidModelException e) {
            throw new UsageError(e.getMessage());
        }
        try {
            AtomicFiles.write(output, int8);
        } catch (IOException e) {
            err.println("charlm quantize: error: " + output + ": cannot write the model (" + e.getMessage() + ")");
            return Cli.SOME_INPUTS_FAILED;
        }
        out.printf(Locale.ROOT, "wrote %s (%.2f MB, %.0f%% of %s)%n", output, int8.length / 1e6,
                100.0 * int8.length / fp32.length, input);
        out.println(check.describe());
        return Cli.DONE;
    }

    private List<Path> checkTexts() throws Exception {
        List<Path> texts = new ArrayList<>();
        if (checkData.isEmpty()) {
            Path shared = Path.of(System.getProperty("charlm.shared.data", "../shared/data"));
            for (String name : List.of("timemachine.txt", "war_of_the_worlds.txt", "pride_and_prejudice.txt")) {
                texts.add(shared.resolve(name));
            }
            return texts;
        }
        for (String a : checkData) {
            texts.addAll(InputPaths.expand(a));
        }
        return texts;
    }
}
