package dev.charlm.trainer;

import dev.charlm.trainer.train.EpochMetrics;
import dev.charlm.trainer.train.HeldOutPoint;
import dev.charlm.trainer.train.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Progress on stderr: on a terminal, a bar redrawn in place (epoch, batch, perplexity,
 * tokens/s); otherwise, one plain line per epoch that logs read well.
 */
final class ConsoleProgress implements ProgressListener {

    private static final int BAR = 24;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final int epochs;
    private long lastDraw;

    ConsoleProgress(PrintStream out, boolean terminal, int epochs) {
        this.out = out;
        this.terminal = terminal;
        this.epochs = epochs;
    }

    @Override
    public void onBatch(int epoch, int batch, int batches, double perplexity, double tokensPerSecond) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (batch != batches && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        int filled = (int) ((long) BAR * batch / batches);
        out.printf(Locale.ROOT, "\repoch %d/%d [%s%s] %d/%d  ppl %.2f  %.1fk tok/s   ", epoch, epochs,
                "#".repeat(filled), ".".repeat(BAR - filled), batch, batches, perplexity,
                tokensPerSecond / 1000);
        out.flush();
    }

    @Override
    public void onHeldOut(HeldOutPoint p) {
        if (terminal) {
            out.print("\r\033[K");
        }
        out.printf(Locale.ROOT, "epoch %d/%d  batch %d/%d  val ppl %.3f  after %d updates, %.1f min of steps; checkpoint written%n",
                p.epoch(), epochs, p.batch(), p.batches(), p.validationPerplexity(), p.optimizerSteps(),
                p.trainingSeconds() / 60);
        out.flush();
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        if (terminal) {
            out.print("\r\033[K");
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "epoch %d/%d  train ppl %.3f  val ppl %.3f  val bpc %.3f  %.1fk tok/s  overhead %.1f%%  %.1fs",
                m.epoch(), epochs, m.trainPerplexity(), m.validationPerplexity(),
                m.validationBitsPerChar(), m.tokensPerSecond() / 1000,
                m.timing().overheadFraction() * 100, m.wallSeconds()));
        if (m.validationPerplexityByFile().size() > 1) {
            for (Map.Entry<String, Double> e : m.validationPerplexityByFile().entrySet()) {
                line.append(String.format(Locale.ROOT, "  [%s %.3f]", e.getKey(), e.getValue()));
            }
        }
        out.println(line);
        out.flush();
    }
}
