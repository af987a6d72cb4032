package dev.charlm.exporter;

import dev.charlm.contract.Cell;
import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.onnx.OnnxFile;
import dev.charlm.trainer.checkpoint.Tensor;
import dev.charlm.trainer.model.ParameterLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model's weights as the ONNX graph holds them: per layer, W [G*H, in], R [G*H, H] and B [2*G*H]
 * with gate blocks in ONNX's order ({@link GateOrder}); the output layer as W_hq^T [H, V] and
 * b_q [V]. Made from a checkpoint (PyTorch's order, converted here) or read back from an fp32
 * file charlm wrote (the quantizer's input).
 */
record GraphWeights(List<Layer> layers, float[] outputWeight, float[] outputBias) {

    /** One recurrent layer's matrices, row-major, ONNX gate order. */
    record Layer(float[] w, float[] r, float[] b, int inputs) {}

    /** A checkpoint's weights, their gate blocks put in ONNX's order ({@code gateOrder} ONNX) or left. */
    static GraphWeights fromCheckpoint(Cell cell, int layerCount, int hidden, int vocab, Map<String, Tensor> weights,
            GateOrder gateOrder) {
        List<Layer> layers = new ArrayList<>();
        int rows = cell.gates() * hidden;
        for (int l = 0; l < layerCount; l++) {
            float[] w = gateOrder.reorder(cell, values(weights, ParameterLayout.inputWeight(l)), hidden);
            float[] r = gateOrder.reorder(cell, values(weights, ParameterLayout.recurrentWeight(l)), hidden);
            float[] bi = gateOrder.reorder(cell, values(weights, ParameterLayout.inputBias(l)), hidden);
            float[] bh = gateOrder.reorder(cell, values(weights, ParameterLayout.recurrentBias(l)), hidden);
            float[] b = new float[2 * rows];
            System.arraycopy(bi, 0, b, 0, rows);
            System.arraycopy(bh, 0, b, rows, rows);
            layers.add(new Layer(w, r, b, l == 0 ? vocab : hidden));
        }
        return new GraphWeights(layers, transpose(values(weights, ParameterLayout.DENSE_WEIGHT), vocab, hidden),
                values(weights, ParameterLayout.DENSE_BIAS));
    }

    /**
     * The weights of an fp32 file charlm exported, by the initializer names {@link OnnxExporter}
     * gives them.
     *
     * @throws IllegalArgumentException if the file lacks one or holds it with another shape
     */
    static GraphWeights fromOnnx(OnnxFile file, ModelMetadata md) {
        int vocab = md.vocabulary().size();
        int rows = md.cell().gates() * md.hidden();
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < md.layers(); l++) {
            int in = l == 0 ? vocab : md.hidden();
            layers.add(new Layer(floats(file, OnnxExporter.W + l, (long) rows * in),
                    floats(file, OnnxExporter.R + l, (long) rows * md.hidden()),
                    floats(file, OnnxExporter.B + l, 2L * rows), in));
        }
        return new GraphWeights(layers, floats(file, OnnxExporter.OUTPUT_WEIGHT, (long) md.hidden() * vocab),
                floats(file, OnnxExporter.OUTPUT_BIAS, vocab));
    }

    private static float[] floats(OnnxFile file, String name, long size) {
        OnnxFile.Tensor t = file.initializers().get(name);
        if (t == null) {
            throw new IllegalArgumentException("the model has no initializer " + name
                    + " (not an fp32 model charlm exported)");
        }
        if (t.size() != size) {
            throw new IllegalArgumentException("initializer " + name + " holds " + t.size() + " values, its metadata"
                    + " implies " + size);
        }
        return t.floats();
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
