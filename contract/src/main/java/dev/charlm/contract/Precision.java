package dev.charlm.contract;

/**
 * How a frozen model's recurrent weights are stored: 32-bit floats, or 8-bit integers with a
 * scale per output row (ONNX Runtime's {@code DynamicQuantizeLSTM}: a quarter of the size, and
 * integer matrix products).
 */
public enum Precision {
    FP32("fp32"),
    INT8("int8");

    private final String id;

    Precision(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The precision named {@code id} ({@code fp32} or {@code int8}). */
    public static Precision fromId(String id) {
        for (Precision p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + id + "' (expected fp32 or int8)");
    }
}
