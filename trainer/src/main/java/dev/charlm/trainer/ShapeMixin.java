package dev.charlm.trainer;

import picocli.CommandLine.Option;

/** The stacked model's size, for charlm train and every study ({@code ModelSpec} owns the rules). */
public class ShapeMixin {

    @Option(names = "--layers", paramLabel = "L", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
    public int layers;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}.")
    public int hidden;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.3",
            description = "Dropout on each recurrent layer's output (between layers and before the output layer)."
                    + " Default: ${DEFAULT-VALUE}.")
    public float dropout;
}
