package dev.charlm.bench;

import dev.charlm.trainer.model.ParameterLayout;
import java.util.Map;

/**
 * The same deep LSTM in plain Java loops, batch 1, one token per step, for comparison: gate
 * blocks in PyTorch's order (i, f, g, o), weights in the canonical layout, one-hot input as a
 * column lookup. No libraries, no SIMD beyond what the JIT finds.
 */
final class PlainJavaLstm {

    private final int layers;
    private final int hidden;
    private final int vocab;
    private final float[][] wih; // l: (4H, in_l) row-major
    private final float[][] whh; // l: (4H, H)
    private final float[][] bias; // l: b_ih + b_hh (4H)
    private final float[] wq; // (V, H)
    private final float[] bq; // (V)
    private final float[][] h;
    private final float[][] c;
    private final float[] gates;

    PlainJavaLstm(Map<String, float[]> weights, int layers, int hidden, int vocab) {
        this.layers = layers;
        this.hidden = hidden;
        this.vocab = vocab;
        wih = new float[layers][];
        whh = new float[layers][];
        bias = new float[layers][];
        for (int l = 0; l < layers; l++) {
            wih[l] = weights.get(ParameterLayout.inputWeight(l));
            whh[l] = weights.get(ParameterLayout.recurrentWeight(l));
            float[] bi = weights.get(ParameterLayout.inputBias(l));
            float[] bh = weights.get(ParameterLayout.recurrentBias(l));
            bias[l] = new float[4 * hidden];
            for (int i = 0; i < bias[l].length; i++) {
                bias[l][i] = bi[i] + bh[i];
            }
        }
        wq = weights.get(ParameterLayout.DENSE_WEIGHT);
        bq = weights.get(ParameterLayout.DENSE_BIAS);
        h = new float[layers][hidden];
        c = new float[layers][hidden];
        gates = new float[4 * hidden];
    }

    /** Feeds one token; writes the next-token logits. */
    void step(int token, float[] logits) {
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? vocab : hidden;
            float[] wi = wih[l];
            float[] wh = whh[l];
            float[] x = l == 0 ? null : h[l - 1];
            float[] hl = h[l];
            for (int r = 0; r < 4 * hidden; r++) {
                float sum = bias[l][r];
                if (l == 0) {
                    sum += wi[r * in + token]; // one-hot input selects a column
                } else {
                    int base = r * in;
                    for (int k = 0; k < in; k++) {
                        sum += wi[base + k] * x[k];
                    }
                }
                int base = r * hidden;
                for (int k = 0; k < hidden; k++) {
                    sum += wh[base + k] * hl[k];
                }
                gates[r] = sum;
            }
            float[] cl = c[l];
            for (int j = 0; j < hidden; j++) {
                float i = sigmoid(gates[j]);
                float f = sigmoid(gates[hidden + j]);
                float g = (float) Math.tanh(gates[2 * hidden + j]);
                float o = sigmoid(gates[3 * hidden + j]);
                cl[j] = f * cl[j] + i * g;
                hl[j] = o * (float) Math.tanh(cl[j]);
            }
        }
        float[] top = h[layers - 1];
        for (int v = 0; v < vocab; v++) {
            float sum = bq[v];
            for (int k = 0; k < hidden; k++) {
                sum += wq[v * hidden + k] * top[k];
            }
            logits[v] = sum;
        }
    }

    private static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }
}
