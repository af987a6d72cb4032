package dev.charlm.trainer.train;

import dev.charlm.trainer.plot.LineChart;
import java.util.List;

/** The chapter's figure: training and validation perplexity against epoch, as PNG and SVG. */
public final class PerplexityPlot {

    private PerplexityPlot() {}

    public static byte[] png(List<EpochMetrics> epochs, String title) {
        return chart(epochs, title).png();
    }

    public static byte[] svg(List<EpochMetrics> epochs, String title) {
        return chart(epochs, title).svg();
    }

    private static LineChart chart(List<EpochMetrics> epochs, String title) {
        double[] x = epochs.stream().mapToDouble(EpochMetrics::epoch).toArray();
        return LineChart.builder(title).axes("epoch", "perplexity")
                .series("train", x, epochs.stream().mapToDouble(EpochMetrics::trainPerplexity).toArray(), false, false)
                .series("validation (held out)", x,
                        epochs.stream().mapToDouble(EpochMetrics::validationPerplexity).toArray(), true, false)
                .build();
    }
}
