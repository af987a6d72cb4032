package dev.charlm.app;

import dev.charlm.cli.ModelMixin;
import dev.charlm.cli.OutputClosed;
import dev.charlm.cli.SamplingMixin;
import dev.charlm.cli.UsageError;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.charlm.sdk.GenerationResult;
import dev.charlm.sdk.GenerationSession;
import dev.charlm.sdk.ModelOptions;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code charlm generate}: streams characters to stdout as the model produces them. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text, streamed to stdout character by character.")
public class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelMixin modelOption;

    @Mixin
    SamplingMixin sampling;

    @Option(names = "--prompt", defaultValue = "time traveller", description = "Text to continue. Default: ${DEFAULT-VALUE}.")
    String prompt;

    @Option(names = "--interactive", description = "Read prompts line by line from stdin; the state carries across lines.")
    boolean interactive;

    /** Where text goes and prompts come from; stdout and stdin unless a test sets them. */
    PrintStream out;
    InputStream in;

    @Override
    public Integer call() throws Exception {
        PrintStream out = this.out != null ? this.out : System.out;
        InputStream in = this.in != null ? this.in : System.in;
        GenerationOptions options = sampling.options();
        try (CharModel model = modelOption.load(ModelOptions.defaults())) {
            GenerationSession session = model.newSession();
            if (!interactive) {
                String fed = session.feed(prompt);
                if (fed.isEmpty()) {
                    throw new UsageError("--prompt '" + prompt + "' is empty after "
                            + model.info().preprocessing().id() + " preprocessing");
                }
                out.print(fed);
                OutputClosed.check(out);
                GenerationResult r = session.generate(options, ch -> {
                    out.print(ch);
                    OutputClosed.check(out); // flushed; a closed pipe ends the generation here
                });
                out.println();
                out.flush();
                if (r.stopString().isPresent()) {
                    System.err.println("[stopped at \"" + r.stopString().get() + "\"]");
                }
                return 0;
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                session.feed(line); // fed in bounded calls, however long the line
                if (!session.isPrimed()) {
                    continue; // nothing to continue from yet (e.g. a blank first line)
                }
                session.generate(options, ch -> {
                    out.print(ch);
                    OutputClosed.check(out);
                });
                out.println();
                OutputClosed.check(out);
            }
            return 0;
        }
    }
}
