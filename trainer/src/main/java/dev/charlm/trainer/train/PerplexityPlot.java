package dev.charlm.trainer.train;

import dev.charlm.trainer.plot.LineChart;
import java.util.List;

/**
 * The chapter's figure: training perplexity per epoch and held-out perplexity at every point of
 * the run's curve (epoch ends and mid-epoch checkpoints) against epochs, as PNG and SVG.
 */
public final class PerplexityPlot {

    private PerplexityPlot() {}

    public static byte[] png(List<EpochMetrics> epochs, List<HeldOutPoint> curve, String title) {
        return chart(epochs, curve, title).png();
    }

    public static byte[] svg(List<EpochMetrics> epochs, List<HeldOutPoint> curve, String title) {
        return chart(epochs, curve, title).svg();
    }

    private static LineChart chart(List<EpochMetrics> epochs, List<HeldOutPoint> curve, String title) {
        LineChart.Builder chart = LineChart.builder(title).axes("epoch", "perplexity");
        if (!epochs.isEmpty()) {
            chart.series("train", epochs.stream().mapToDouble(EpochMetrics::epoch).toArray(),
                    epochs.stream().mapToDouble(EpochMetrics::trainPerplexity).toArray(), false, false);
        }
        return chart.series("validation (held out)", curve.stream().mapToDouble(HeldOutPoint::epochs).toArray(),
                curve.stream().mapToDouble(HeldOutPoint::validationPerplexity).toArray(), true, curve.size() < 40)
                .build();
    }
}
