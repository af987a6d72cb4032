package dev.charlm.exporter;

import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.ModelContract;
import dev.charlm.contract.onnx.OnnxModel;
import dev.charlm.trainer.checkpoint.ModelConfig;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.contract.Cell;
import dev.charlm.trainer.model.ParameterLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the frozen graph of a checkpoint, with standard ONNX operators only (opset 17):
 *
 * <pre>
 * tokens int64 [batch, seq]                       h0 (c0) float [L, batch, H]
 *   -> Gather(eye(V)) = one-hot [batch, seq, V] -> Transpose [seq, batch, V]
 *   -> for each layer l: Slice h0[l] (c0[l]) -> LSTM|GRU|RNN node -> Squeeze axis 1
 *   -> Transpose [batch, seq, H] -> MatMul W_hq^T -> Add b_q -> logits [batch, seq, V]
 *   Concat of the layers' final states -> hn (cn) [L, batch, H]
 * </pre>
 *
 * <p>Weights: W = W_ih [1, G*H, in], R = W_hh [1, G*H, H], B = [b_ih; b_hh] [1, 2*G*H], gate
 * blocks in ONNX's order ({@link GateOrder}); GRU with {@code linear_before_reset=1}, PyTorch's
 * formulation.
 */
public final class OnnxExporter {

    /** The highest opset Debian's python3-onnx 1.12 checks. */
    public static final int OPSET = 17;

    private OnnxExporter() {}

    /**
     * The ONNX file of a model.
     *
     * @param metadata what the file says about itself ({@link #modelMetadata} and its training
     *     record)
     */
    public static byte[] export(ModelConfig config, Map<String, Tensor> weights, ModelMetadata metadata) {
        return export(config, weights, metadata, GateOrder.ONNX);
    }

    static byte[] export(ModelConfig config, Map<String, Tensor> weights, ModelMetadata metadata,
            GateOrder gateOrder) {
        Cell cell = config.cell();
        int layers = config.layers();
        int hidden = config.hidden();
        int vocab = config.vocabulary().size();
        boolean lstm = cell == Cell.LSTM;
        String batch = ModelContract.DIM_BATCH;
        String seq = ModelContract.DIM_SEQ;

        OnnxModel m = new OnnxModel("charlm_" + cell.id(), OPSET)
                .docString("charlm " + layers + "x" + hidden + " " + cell.id()
                        + " character language model; state is explicit: feed hn/cn back as h0/c0.");
        metadata.toProperties().forEach(m::metadata);

        m.input(ModelContract.TOKENS, OnnxModel.INT64, batch, seq);
        m.input(ModelContract.H0, OnnxModel.FLOAT, layers, batch, hidden);
        if (lstm) {
            m.input(ModelContract.C0, OnnxModel.FLOAT, layers, batch, hidden);
        }

        float[] eye = new float[vocab * vocab];
        for (int i = 0; i < vocab; i++) {
            eye[i * vocab + i] = 1f;
        }
        m.floatInitializer("one_hot_table", new long[] {vocab, vocab}, eye);
        m.node("Gather", List.of("one_hot_table", ModelContract.TOKENS), List.of("one_hot"), Map.of("axis", 0L));
        m.node("Transpose", List.of("one_hot"), List.of("x_0"), Map.of("perm", new long[] {1, 0, 2}));
        m.int64Initializer("axis_1", new long[] {1}, new long[] {1});
        m.int64Initializer("axis_0", new long[] {1}, new long[] {0});

        List<String> finalH = new ArrayList<>();
        List<String> finalC = new ArrayList<>();
        String x = "x_0";
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? vocab : hidden;
            int rows = cell.gates() * hidden;
            float[] w = gateOrder.reorder(cell, values(weights, ParameterLayout.inputWeight(l)), hidden);
            float[] r = gateOrder.reorder(cell, values(weights, ParameterLayout.recurrentWeight(l)), hidden);
            float[] bi = gateOrder.reorder(cell, values(weights, ParameterLayout.inputBias(l)), hidden);
            float[] bh = gateOrder.reorder(cell, values(weights, ParameterLayout.recurrentBias(l)), hidden);
            float[] b = new float[2 * rows];
            System.arraycopy(bi, 0, b, 0, rows);
            System.arraycopy(bh, 0, b, rows, rows);
            m.floatInitializer("W_" + l, new long[] {1, rows, in}, w);
            m.floatInitializer("R_" + l, new long[] {1, rows, hidden}, r);
            m.floatInitializer("B_" + l, new long[] {1, 2L * rows}, b);
            m.int64Initializer("layer_" + l, new long[] {1}, new long[] {l});
            m.int64Initializer("layer_end_" + l, new long[] {1}, new long[] {l + 1});
            m.node("Slice", List.of(ModelContract.H0, "layer_" + l, "layer_end_" + l, "axis_0"), List.of("h0_" + l));
            List<String> inputs = new ArrayList<>(List.of(x, "W_" + l, "R_" + l, "B_" + l, "", "h0_" + l));
            List<String> outputs = new ArrayList<>(List.of("y_" + l, "hn_" + l));
            if (lstm) {
                m.node("Slice", List.of(ModelContract.C0, "layer_" + l, "layer_end_" + l, "axis_0"), List.of("c0_" + l));
                inputs.add("c0_" + l);
                outputs.add("cn_" + l);
            }
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("hidden_size", (long) hidden);
            if (cell == Cell.GRU) {
                attributes.put("linear_before_reset", 1L);
            }
            if (cell == Cell.RNN) {
                attributes.put("activations", new String[] {"Tanh"});
            }
            m.node(cell.name(), inputs, outputs, attributes);
            finalH.add("hn_" + l);
            if (lstm) {
                finalC.add("cn_" + l);
            }
            // Y is [seq, num_directions = 1, batch, H]; the next layer wants [seq, batch, H].
            m.node("Squeeze", List.of("y_" + l, "axis_1"), List.of("x_" + (l + 1)));
            x = "x_" + (l + 1);
        }
        m.node("Concat", finalH, List.of(ModelContract.HN), Map.of("axis", 0L));
        if (lstm) {
            m.node("Concat", finalC, List.of(ModelContract.CN), Map.of("axis", 0L));
        }
        m.node("Transpose", List.of(x), List.of("y_batch_first"), Map.of("perm", new long[] {1, 0, 2}));
        m.floatInitializer("W_hq", new long[] {hidden, vocab},
                transpose(values(weights, ParameterLayout.DENSE_WEIGHT), vocab, hidden));
        m.floatInitializer("b_q", new long[] {vocab}, values(weights, ParameterLayout.DENSE_BIAS));
        m.node("MatMul", List.of("y_batch_first", "W_hq"), List.of("logits_no_bias"));
        m.node("Add", List.of("logits_no_bias", "b_q"), List.of(ModelContract.LOGITS));

        m.output(ModelContract.LOGITS, OnnxModel.FLOAT, batch, seq, vocab);
        m.output(ModelContract.HN, OnnxModel.FLOAT, layers, batch, hidden);
        if (lstm) {
            m.output(ModelContract.CN, OnnxModel.FLOAT, layers, batch, hidden);
        }
        return m.toByteArray();
    }

    /** The metadata every frozen model carries about itself, before its training record. */
    public static ModelMetadata modelMetadata(ModelConfig config) {
        return new ModelMetadata(config.cell(), config.layers(), config.hidden(), config.preprocessing(),
                config.vocabulary(), config.implementation().id());
    }

    private static float[] values(Map<String, Tensor> weights, String name) {
        Tensor t = weights.get(name);
        if (t == null) {
            throw new IllegalArgumentException("weights lack parameter " + name);
        }
        return t.values();
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }
}
