package dev.charlm.exporter;

import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.ModelContract;
import dev.charlm.contract.Precision;
import dev.charlm.contract.onnx.OnnxModel;
import dev.charlm.trainer.checkpoint.ModelConfig;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.contract.Cell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the frozen graph of a model, with standard ONNX operators only for fp32 (opset 17):
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
 * formulation. An int8 model ({@link Precision#INT8}, LSTM only) replaces each LSTM node by ONNX
 * Runtime's {@code com.microsoft} {@code DynamicQuantizeLSTM}: W and R as int8 [1, in, 4H] and
 * [1, H, 4H] with a scale per output row ({@link Int8Rows}), zero points 0; the input is
 * quantized on the fly inside the kernel. The biases, the one-hot gather and the output layer
 * (1% of the multiply-adds) stay fp32.
 */
public final class OnnxExporter {

    /** The highest opset Debian's python3-onnx 1.12 checks. */
    public static final int OPSET = 17;
    /** Initializer names, by layer index where they end with one. */
    static final String W = "W_";
    static final String R = "R_";
    static final String B = "B_";
    static final String OUTPUT_WEIGHT = "W_hq";
    static final String OUTPUT_BIAS = "b_q";

    private OnnxExporter() {}

    /**
     * The ONNX file of a checkpoint's model, in the precision {@code metadata} says.
     *
     * @param metadata what the file says about itself ({@link #modelMetadata} and its training
     *     record)
     */
    public static byte[] export(ModelConfig config, Map<String, Tensor> weights, ModelMetadata metadata) {
        return export(config, weights, metadata, GateOrder.ONNX);
    }

    static byte[] export(ModelConfig config, Map<String, Tensor> weights, ModelMetadata metadata,
            GateOrder gateOrder) {
        return graph(metadata, GraphWeights.fromCheckpoint(config.cell(), config.layers(), config.hidden(),
                config.vocabulary().size(), weights, gateOrder));
    }

    /**
     * The ONNX file of {@code weights}, described by {@code metadata} (cell, sizes, precision).
     *
     * @throws IllegalArgumentException for an int8 model of a cell other than LSTM
     */
    static byte[] graph(ModelMetadata metadata, GraphWeights weights) {
        Cell cell = metadata.cell();
        // The graph takes its shape from the weights; the metadata is only what the file says of
        // itself (the loader's check that the two agree is tested with a file whose metadata lies).
        int layers = weights.layers().size();
        int vocab = weights.outputBias().length;
        int hidden = weights.outputWeight().length / vocab;
        boolean lstm = cell == Cell.LSTM;
        boolean int8 = metadata.precision() == Precision.INT8;
        if (int8 && !lstm) {
            throw new IllegalArgumentException("int8 needs ONNX Runtime's DynamicQuantizeLSTM, which has no GRU or RNN"
                    + " counterpart: a " + cell.id() + " model stays fp32");
        }
        String batch = ModelContract.DIM_BATCH;
        String seq = ModelContract.DIM_SEQ;

        OnnxModel m = new OnnxModel("charlm_" + cell.id(), OPSET)
                .docString("charlm " + layers + "x" + hidden + " " + cell.id() + (int8 ? " int8" : "")
                        + " character language model; state is explicit: feed hn/cn back as h0/c0.");
        if (int8) {
            m.importDomain(ModelContract.CONTRIB_DOMAIN, 1);
        }
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
            GraphWeights.Layer layer = weights.layers().get(l);
            int in = layer.inputs();
            int rows = cell.gates() * hidden;
            m.floatInitializer(B + l, new long[] {1, 2L * rows}, layer.b());
            m.int64Initializer("layer_" + l, new long[] {1}, new long[] {l});
            m.int64Initializer("layer_end_" + l, new long[] {1}, new long[] {l + 1});
            m.node("Slice", List.of(ModelContract.H0, "layer_" + l, "layer_end_" + l, "axis_0"), List.of("h0_" + l));
            if (lstm) {
                m.node("Slice", List.of(ModelContract.C0, "layer_" + l, "layer_end_" + l, "axis_0"), List.of("c0_" + l));
            }
            List<String> outputs = new ArrayList<>(List.of("y_" + l, "hn_" + l));
            if (lstm) {
                outputs.add("cn_" + l);
            }
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("hidden_size", (long) hidden);
            if (int8) {
                Int8Rows wq = Int8Rows.quantize(layer.w(), rows, in);
                Int8Rows rq = Int8Rows.quantize(layer.r(), rows, hidden);
                m.int8Initializer(W + l, new long[] {1, in, rows}, wq.values());
                m.int8Initializer(R + l, new long[] {1, hidden, rows}, rq.values());
                m.floatInitializer("W_scale_" + l, new long[] {1, rows}, wq.scales());
                m.int8Initializer("W_zero_point_" + l, new long[] {1, rows}, new byte[rows]);
                m.floatInitializer("R_scale_" + l, new long[] {1, rows}, rq.scales());
                m.int8Initializer("R_zero_point_" + l, new long[] {1, rows}, new byte[rows]);
                m.node(ModelContract.CONTRIB_DOMAIN, "DynamicQuantizeLSTM", List.of(x, W + l, R + l, B + l, "",
                        "h0_" + l, "c0_" + l, "", "W_scale_" + l, "W_zero_point_" + l, "R_scale_" + l,
                        "R_zero_point_" + l), outputs, attributes);
            } else {
                m.floatInitializer(W + l, new long[] {1, rows, in}, layer.w());
                m.floatInitializer(R + l, new long[] {1, rows, hidden}, layer.r());
                List<String> inputs = new ArrayList<>(List.of(x, W + l, R + l, B + l, "", "h0_" + l));
                if (lstm) {
                    inputs.add("c0_" + l);
                }
                if (cell == Cell.GRU) {
                    attributes.put("linear_before_reset", 1L);
                }
                if (cell == Cell.RNN) {
                    attributes.put("activations", new String[] {"Tanh"});
                }
                m.node(cell.name(), inputs, outputs, attributes);
            }
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
        m.floatInitializer(OUTPUT_WEIGHT, new long[] {hidden, vocab}, weights.outputWeight());
        m.floatInitializer(OUTPUT_BIAS, new long[] {vocab}, weights.outputBias());
        m.node("MatMul", List.of("y_batch_first", OUTPUT_WEIGHT), List.of("logits_no_bias"));
        m.node("Add", List.of("logits_no_bias", OUTPUT_BIAS), List.of(ModelContract.LOGITS));

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
}
