package dev.charlm.exporter;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.charlm.contract.ModelContract;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * An exported model opened in ONNX Runtime, for checking it: one call runs a batch of token
 * windows from given states. Closes its session.
 */
final class FrozenModel implements AutoCloseable {

    /** Outputs of one run: logits (B*T*V), hn and cn (L*B*H; cn null unless LSTM), row-major. */
    record Output(float[] logits, float[] hn, float[] cn) {}

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final boolean lstm;
    private final int layers;
    private final int hidden;

    FrozenModel(byte[] onnx, boolean lstm, int layers, int hidden) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            this.session = env.createSession(onnx, options);
        }
        this.lstm = lstm;
        this.layers = layers;
        this.hidden = hidden;
    }

    Output run(long[] tokens, int batch, int steps, float[] h0, float[] c0) throws OrtException {
        long[] stateShape = {layers, batch, hidden};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(ModelContract.TOKENS, OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {batch, steps}));
            inputs.put(ModelContract.H0, OnnxTensor.createTensor(env, FloatBuffer.wrap(h0), stateShape));
            if (lstm) {
                inputs.put(ModelContract.C0, OnnxTensor.createTensor(env, FloatBuffer.wrap(c0), stateShape));
            }
            try (OrtSession.Result r = session.run(inputs)) {
                return new Output(floats(r, ModelContract.LOGITS), floats(r, ModelContract.HN),
                        lstm ? floats(r, ModelContract.CN) : null);
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] floats(OrtSession.Result r, String name) {
        FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow(
                () -> new IllegalStateException("model has no output " + name))).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
