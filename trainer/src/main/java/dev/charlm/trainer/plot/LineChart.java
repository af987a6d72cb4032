package dev.charlm.trainer.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A small line chart: named series of (x, y) points on linear or logarithmic x, drawn twice from
 * one layout, to a PNG through Java2D and to an SVG by hand, so both show the same thing.
 * Immutable; build with {@link #builder(String)}.
 */
public final class LineChart {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 55;
    /** Matplotlib's first colours, so figures look familiar. */
    private static final List<String> COLORS = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
            "#8c564b", "#e377c2", "#7f7f7f");

    /**
     * One line.
     *
     * @param name legend text
     * @param xs x values, increasing
     * @param ys y values
     * @param color "#rrggbb"
     * @param dashed drawn dashed
     * @param markers points marked with dots
     */
    public record Series(String name, double[] xs, double[] ys, String color, boolean dashed, boolean markers) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final double yMax;
    private final List<Series> series;

    private LineChart(Builder b) {
        this.title = b.title;
        this.xLabel = b.xLabel;
        this.yLabel = b.yLabel;
        this.logX = b.logX;
        this.yMax = b.yMax;
        this.series = List.copyOf(b.series);
    }

    public static Builder builder(String title) {
        return new Builder(title);
    }

    /** Builder of {@link LineChart}. */
    public static final class Builder {
        private final String title;
        private String xLabel = "";
        private String yLabel = "";
        private boolean logX;
        private double yMax = Double.POSITIVE_INFINITY;
        private final List<Series> series = new ArrayList<>();

        private Builder(String title) {
            this.title = title;
        }

        public Builder axes(String xLabel, String yLabel) {
            this.xLabel = xLabel;
            this.yLabel = yLabel;
            return this;
        }

        public Builder logX(boolean logX) {
            this.logX = logX;
            return this;
        }

        /** Cuts the y axis at {@code yMax}: lines leave the plot there, so the interesting range stays readable. */
        public Builder yMax(double yMax) {
            this.yMax = yMax;
            return this;
        }

        public Builder series(String name, double[] xs, double[] ys, boolean dashed, boolean markers) {
            series.add(new Series(name, xs.clone(), ys.clone(), COLORS.get(series.size() % COLORS.size()), dashed, markers));
            return this;
        }

        public LineChart build() {
            return new LineChart(this);
        }
    }

    /** Drawing operations that both outputs implement. */
    private interface Canvas {
        void polyline(double[] xs, double[] ys, String color, float width, boolean dashed);

        void dot(double x, double y, String color);

        void text(String s, double x, double y, int size, String anchor);

        default void line(double x1, double y1, double x2, double y2, String color, float width, boolean dashed) {
            polyline(new double[] {x1, x2}, new double[] {y1, y2}, color, width, dashed);
        }
    }

    public byte[] png() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            draw(new Canvas() {
                @Override
                public void polyline(double[] xs, double[] ys, String color, float width, boolean dashed) {
                    g.setColor(Color.decode(color));
                    g.setStroke(dashed
                            ? new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
                            : new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                    Path2D.Double path = new Path2D.Double();
                    path.moveTo(xs[0], ys[0]);
                    for (int i = 1; i < xs.length; i++) {
                        path.lineTo(xs[i], ys[i]);
                    }
                    g.draw(path);
                }

                @Override
                public void dot(double x, double y, String color) {
                    g.setColor(Color.decode(color));
                    g.fill(new Ellipse2D.Double(x - 3, y - 3, 6, 6));
                }

                @Override
                public void text(String s, double x, double y, int size, String anchor) {
                    g.setColor(Color.DARK_GRAY);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
                    int w = g.getFontMetrics().stringWidth(s);
                    double dx = "middle".equals(anchor) ? -w / 2.0 : "end".equals(anchor) ? -w : 0;
                    g.drawString(s, (float) (x + dx), (float) y);
                }
            });
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public byte[] svg() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
                        + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        draw(new Canvas() {
            @Override
            public void polyline(double[] xs, double[] ys, String color, float width, boolean dashed) {
                sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"")
                        .append(width).append('"').append(dashed ? " stroke-dasharray=\"6 4\"" : "")
                        .append(" points=\"");
                for (int i = 0; i < xs.length; i++) {
                    sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
                }
                sb.append("\"/>\n");
            }

            @Override
            public void dot(double x, double y, String color) {
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, y, color));
            }

            @Override
            public void text(String s, double x, double y, int size, String anchor) {
                sb.append(String.format(Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%.1f\" font-family=\"sans-serif\" font-size=\"%d\" fill=\"#404040\" text-anchor=\"%s\">%s</text>\n",
                        x, y, size, anchor, escape(s)));
            }
        });
        sb.append("</svg>\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private double xValue(double x) {
        return logX ? Math.log10(x) : x;
    }

    private void draw(Canvas c) {
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (Series s : series) {
            for (int i = 0; i < s.xs().length; i++) {
                if (!Double.isFinite(s.ys()[i])) {
                    continue;
                }
                minX = Math.min(minX, xValue(s.xs()[i]));
                maxX = Math.max(maxX, xValue(s.xs()[i]));
                minY = Math.min(minY, s.ys()[i]);
                maxY = Math.max(maxY, Math.min(s.ys()[i], yMax));
            }
        }
        if (minX > maxX) {
            minX = 0;
            maxX = 1;
            minY = 0;
            maxY = 1;
        }
        if (maxX - minX < 1e-9) {
            maxX = minX + 1;
        }
        double span = Math.max(maxY - minY, 0.1);
        double step = niceStep(span / 5);
        double lo = Math.floor((minY - span * 0.05) / step) * step;
        double hi = Math.ceil((maxY + span * 0.05) / step) * step;
        double x0 = minX;
        double x1 = maxX;
        java.util.function.DoubleUnaryOperator px = v -> LEFT + plotW * (xValue(v) - x0) / (x1 - x0);
        java.util.function.DoubleUnaryOperator py = v -> TOP + plotH - plotH * (v - lo) / (hi - lo);
        c.text(title, WIDTH / 2.0, 24, 15, "middle");
        c.line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "#404040", 1f, false);
        c.line(LEFT, TOP, LEFT, TOP + plotH, "#404040", 1f, false);
        for (double v = lo; v <= hi + step / 2; v += step) {
            double y = py.applyAsDouble(v);
            c.line(LEFT, y, LEFT + plotW, y, "#e0e0e0", 1f, false);
            c.text(format(v, step), LEFT - 8, y + 4, 11, "end");
        }
        for (double t : xTicks(minX, maxX)) {
            double x = LEFT + plotW * (t - x0) / (x1 - x0);
            c.line(x, TOP + plotH, x, TOP + plotH + 4, "#404040", 1f, false);
            double label = logX ? Math.pow(10, t) : t;
            c.text(formatTick(label), x, TOP + plotH + 18, 11, "middle");
        }
        c.text(xLabel, LEFT + plotW / 2, HEIGHT - 14, 13, "middle");
        c.text(yLabel, 16, TOP - 10, 13, "start");
        for (Series s : series) {
            List<double[]> pts = new ArrayList<>();
            for (int i = 0; i < s.xs().length; i++) {
                if (Double.isFinite(s.ys()[i])) {
                    pts.add(new double[] {px.applyAsDouble(s.xs()[i]), py.applyAsDouble(s.ys()[i])});
                }
            }
            if (pts.isEmpty()) {
                continue;
            }
            double top = TOP;
            for (List<double[]> run : clipAbove(pts, top)) {
                if (run.size() > 1) {
                    c.polyline(run.stream().mapToDouble(p -> p[0]).toArray(),
                            run.stream().mapToDouble(p -> p[1]).toArray(), s.color(), 2f, s.dashed());
                }
            }
            if (s.markers() || pts.size() == 1) {
                for (double[] p : pts) {
                    if (p[1] >= top) {
                        c.dot(p[0], p[1], s.color());
                    }
                }
            }
        }
        double lx = LEFT + plotW - 210;
        double ly = TOP + 14;
        for (Series s : series) {
            c.line(lx, ly, lx + 26, ly, s.color(), 2f, s.dashed());
            c.text(s.name(), lx + 32, ly + 4, 12, "start");
            ly += 18;
        }
    }

    /**
     * The parts of a line (in pixels) below the pixel row {@code top}, that is, under the y axis'
     * cut: each crossing is interpolated, so a line leaves and re-enters the plot at its edge.
     */
    private static List<List<double[]>> clipAbove(List<double[]> pts, double top) {
        List<List<double[]>> runs = new ArrayList<>();
        List<double[]> run = new ArrayList<>();
        for (int i = 0; i < pts.size(); i++) {
            double[] p = pts.get(i);
            boolean inside = p[1] >= top;
            if (i > 0) {
                double[] q = pts.get(i - 1);
                boolean wasInside = q[1] >= top;
                if (inside != wasInside) {
                    double t = (top - q[1]) / (p[1] - q[1]);
                    double[] edge = {q[0] + t * (p[0] - q[0]), top};
                    run.add(edge);
                    if (wasInside) {
                        runs.add(run);
                        run = new ArrayList<>();
                    }
                }
            }
            if (inside) {
                run.add(p);
            }
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }

    private List<Double> xTicks(double min, double max) {
        List<Double> ticks = new ArrayList<>();
        if (logX) {
            for (double e = Math.floor(min); e <= Math.ceil(max); e++) {
                for (double m : new double[] {1, 2, 5}) {
                    double t = e + Math.log10(m);
                    if (t >= min - 1e-9 && t <= max + 1e-9) {
                        ticks.add(t);
                    }
                }
            }
            return ticks;
        }
        double step = niceStep((max - min) / 8);
        for (double t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) {
            ticks.add(t);
        }
        return ticks;
    }

    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String format(double v, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step)) + (step % 1 == 0.25 ? 2 : 0));
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 3) + "f", v);
    }

    static String formatTick(double v) {
        if (Math.abs(v) >= 1e6) {
            return significant(v / 1e6) + "M";
        }
        if (Math.abs(v) >= 1e3) {
            return significant(v / 1e3) + "k";
        }
        return significant(v);
    }

    /** Three significant digits without trailing zeros after the point: 200, 1.5, 2. */
    private static String significant(double v) {
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", v)).stripTrailingZeros().toPlainString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
