package dev.charlm.cli;

import dev.charlm.sdk.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How to pick characters, as {@link GenerationOptions} has it; its builder owns every rule and
 * names the field it refuses, which {@link Cli} tells with the option that set it.
 */
public class SamplingMixin {

    @Option(names = {"--length", "--max-characters"}, paramLabel = "N", defaultValue = "200",
            description = "Characters to generate. Default: ${DEFAULT-VALUE}.")
    int maxCharacters;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
            description = "0 is greedy (d2l's predict_ch8); higher is more varied. Default: ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Sample from the K most likely characters (0: all). Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1",
            description = "Nucleus sampling threshold in (0, 1]. Default: ${DEFAULT-VALUE}.")
    double topP;

    @Option(names = "--seed", paramLabel = "S", description = "Seed for sampling: the same seed gives the same text.")
    Long seed;

    @Option(names = "--stop", paramLabel = "STR", description = "Stop once the text ends with STR (repeatable).")
    List<String> stops = new ArrayList<>();

    /** The options asked for. */
    public GenerationOptions options() {
        GenerationOptions.Builder b = GenerationOptions.builder().maxCharacters(maxCharacters).temperature(temperature)
                .topK(topK).topP(topP).stopStrings(stops);
        if (seed != null) {
            b.seed(seed);
        }
        return b.build();
    }
}
