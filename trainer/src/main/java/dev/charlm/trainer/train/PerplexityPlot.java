package dev.charlm.trainer.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The chapter's figure: training and validation perplexity against epoch. One layout is drawn
 * twice, to a PNG through Java2D and to an SVG by hand, so both show the same thing.
 */
public final class PerplexityPlot {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 55;
    private static final String TRAIN_COLOR = "#1f77b4";
    private static final String VALIDATION_COLOR = "#ff7f0e";

    private PerplexityPlot() {}

    /** Drawing operations that both outputs implement. */
    private interface Canvas {
        void line(double x1, double y1, double x2, double y2, String color, float width, boolean dashed);

        void polyline(double[] xs, double[] ys, String color, float width, boolean dashed);

        void text(String s, double x, double y, int size, String anchor);
    }

    public static byte[] png(List<EpochMetrics> epochs, String title) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            draw(epochs, title, new Canvas() {
                @Override
                public void line(double x1, double y1, double x2, double y2, String color, float width, boolean dashed) {
                    polyline(new double[] {x1, x2}, new double[] {y1, y2}, color, width, dashed);
                }

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

    public static byte[] svg(List<EpochMetrics> epochs, String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
                        + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        draw(epochs, title, new Canvas() {
            @Override
            public void line(double x1, double y1, double x2, double y2, String color, float width, boolean dashed) {
                polyline(new double[] {x1, x2}, new double[] {y1, y2}, color, width, dashed);
            }

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
            public void text(String s, double x, double y, int size, String anchor) {
                sb.append(String.format(Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%.1f\" font-family=\"sans-serif\" font-size=\"%d\" fill=\"#404040\" text-anchor=\"%s\">%s</text>\n",
                        x, y, size, anchor, escape(s)));
            }
        });
        sb.append("</svg>\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void draw(List<EpochMetrics> epochs, String title, Canvas c) {
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        int n = epochs.size();
        double maxY = 1;
        double minY = Double.MAX_VALUE;
        for (EpochMetrics m : epochs) {
            maxY = Math.max(maxY, Math.max(m.trainPerplexity(), m.validationPerplexity()));
            minY = Math.min(minY, Math.min(m.trainPerplexity(), m.validationPerplexity()));
        }
        double lo = n == 0 ? 0 : Math.max(0, Math.floor(minY - 0.5));
        double hi = Math.ceil(maxY + 0.5);
        double xMax = Math.max(2, n);
        c.text(title, WIDTH / 2.0, 24, 15, "middle");
        // Axes, ticks and grid.
        c.line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "#404040", 1f, false);
        c.line(LEFT, TOP, LEFT, TOP + plotH, "#404040", 1f, false);
        int yTicks = 5;
        for (int i = 0; i <= yTicks; i++) {
            double v = lo + (hi - lo) * i / yTicks;
            double y = TOP + plotH - plotH * i / yTicks;
            c.line(LEFT, y, LEFT + plotW, y, "#e0e0e0", 1f, false);
            c.text(String.format(Locale.ROOT, "%.1f", v), LEFT - 8, y + 4, 11, "end");
        }
        int xStep = Math.max(1, (int) Math.ceil(xMax / 10));
        for (int e = 1; e <= xMax; e += xStep) {
            double x = LEFT + plotW * (e - 1) / (xMax - 1);
            c.line(x, TOP + plotH, x, TOP + plotH + 4, "#404040", 1f, false);
            c.text(Integer.toString(e), x, TOP + plotH + 18, 11, "middle");
        }
        c.text("epoch", LEFT + plotW / 2, HEIGHT - 14, 13, "middle");
        c.text("perplexity", 16, TOP - 10, 13, "start");
        if (n > 0) {
            double[] xs = new double[n];
            double[] train = new double[n];
            double[] val = new double[n];
            for (int i = 0; i < n; i++) {
                EpochMetrics m = epochs.get(i);
                xs[i] = LEFT + plotW * (m.epoch() - 1) / (xMax - 1);
                train[i] = TOP + plotH - plotH * (m.trainPerplexity() - lo) / (hi - lo);
                val[i] = TOP + plotH - plotH * (m.validationPerplexity() - lo) / (hi - lo);
            }
            c.polyline(xs, train, TRAIN_COLOR, 2f, false);
            c.polyline(xs, val, VALIDATION_COLOR, 2f, true);
        }
        // Legend, top right.
        double lx = LEFT + plotW - 150;
        c.line(lx, TOP + 14, lx + 26, TOP + 14, TRAIN_COLOR, 2f, false);
        c.text("train", lx + 32, TOP + 18, 12, "start");
        c.line(lx, TOP + 32, lx + 26, TOP + 32, VALIDATION_COLOR, 2f, true);
        c.text("validation (held out)", lx + 32, TOP + 36, 12, "start");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
