package dev.charlm.exporter;

/**
 * Symmetric int8 quantization with a scale per output row, the layout ONNX Runtime's
 * {@code DynamicQuantizeLSTM} takes: a weight matrix [rows, cols] (rows are the gates' output
 * units) becomes int8 values transposed to [cols, rows], each row j scaled by
 * {@code max|w_j| / 127} so that its largest weight maps to +-127, with zero points 0.
 *
 * @param values int8 weights, [cols, rows] row-major
 * @param scales one scale per row
 */
record Int8Rows(byte[] values, float[] scales) {

    static Int8Rows quantize(float[] matrix, int rows, int cols) {
        float[] scales = new float[rows];
        byte[] q = new byte[rows * cols];
        for (int j = 0; j < rows; j++) {
            float max = 0;
            for (int i = 0; i < cols; i++) {
                max = Math.max(max, Math.abs(matrix[j * cols + i]));
            }
            float scale = max > 0 ? max / 127f : 1f; // an all-zero row: any scale gives zeros
            scales[j] = scale;
            for (int i = 0; i < cols; i++) {
                int v = Math.round(matrix[j * cols + i] / scale);
                q[i * rows + j] = (byte) Math.max(-127, Math.min(127, v));
            }
        }
        return new Int8Rows(q, scales);
    }
}
