package dev.charlm.trainer.model;

import dev.charlm.contract.Cell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical parameter names and shapes, in PyTorch's flat-weight order. Both recurrent
 * implementations, checkpoints and the exporter use exactly these names:
 *
 * <pre>
 * l_{l}_i2h_WEIGHT  (G*H, in_l)   W_ih of layer l, gate blocks stacked in the cell's order
 * l_{l}_h2h_WEIGHT  (G*H, H)      W_hh of layer l
 * l_{l}_i2h_BIAS    (G*H)         b_ih
 * l_{l}_h2h_BIAS    (G*H)         b_hh
 * dense_WEIGHT      (V, H)        W_hq (stored transposed, as PyTorch's Linear)
 * dense_BIAS        (V)           b_q
 * </pre>
 *
 * where G is {@link Cell#gates()}, in_0 = V (one-hot input) and in_l = H for l &gt; 0.
 */
public final class ParameterLayout {

    public static final String DENSE_WEIGHT = "dense_WEIGHT";
    public static final String DENSE_BIAS = "dense_BIAS";

    private ParameterLayout() {}

    public static String inputWeight(int layer) {
        return "l_" + layer + "_i2h_WEIGHT";
    }

    public static String recurrentWeight(int layer) {
        return "l_" + layer + "_h2h_WEIGHT";
    }

    public static String inputBias(int layer) {
        return "l_" + layer + "_i2h_BIAS";
    }

    public static String recurrentBias(int layer) {
        return "l_" + layer + "_h2h_BIAS";
    }

    /** Every parameter's name and shape, in canonical order. */
    public static Map<String, long[]> shapes(ModelSpec spec) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long rows = (long) spec.cell().gates() * spec.hidden();
        for (int l = 0; l < spec.layers(); l++) {
            shapes.put(inputWeight(l), new long[] {rows, spec.inputSize(l)});
            shapes.put(recurrentWeight(l), new long[] {rows, spec.hidden()});
            shapes.put(inputBias(l), new long[] {rows});
            shapes.put(recurrentBias(l), new long[] {rows});
        }
        shapes.put(DENSE_WEIGHT, new long[] {spec.vocabSize(), spec.hidden()});
        shapes.put(DENSE_BIAS, new long[] {spec.vocabSize()});
        return shapes;
    }

    /** The names of the recurrent stack's parameters only, in canonical order. */
    public static List<String> recurrentNames(ModelSpec spec) {
        List<String> names = new ArrayList<>(shapes(spec).keySet());
        names.remove(DENSE_WEIGHT);
        names.remove(DENSE_BIAS);
        return names;
    }

    /** Total number of scalars. */
    public static long parameterCount(ModelSpec spec) {
        long n = 0;
        for (long[] shape : shapes(spec).values()) {
            long size = 1;
            for (long d : shape) {
                size *= d;
            }
            n += size;
        }
        return n;
    }
}
