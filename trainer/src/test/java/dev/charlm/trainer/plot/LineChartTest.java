package dev.charlm.trainer.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineChartTest {

    @Test
    void tickLabelsKeepTheirZeros() {
        assertEquals("200k", LineChart.formatTick(200_000));
        assertEquals("500k", LineChart.formatTick(500_000));
        assertEquals("1M", LineChart.formatTick(1_000_000));
        assertEquals("2.5M", LineChart.formatTick(2_500_000));
        assertEquals("20", LineChart.formatTick(20));
        assertEquals("1.5", LineChart.formatTick(1.5));
    }

    @Test
    void aLogAxisIsLabelledWithTheDataRange() {
        String svg = new String(LineChart.builder("scaling").axes("training characters", "perplexity").logX(true)
                .series("lstm", new double[] {156_055, 984_559, 4_509_365}, new double[] {4.1, 3.3, 3.7}, false, true)
                .build().svg(), StandardCharsets.UTF_8);
        assertTrue(svg.contains(">200k<"), svg);
        assertTrue(svg.contains(">1M<"), svg);
        assertTrue(svg.contains(">2M<"), svg);
        assertFalse(svg.contains(">2k<"), svg);
    }
}
