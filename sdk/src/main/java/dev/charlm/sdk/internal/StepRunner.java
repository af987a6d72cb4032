package dev.charlm.sdk.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.charlm.contract.ModelContract;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * One thread's tensors for batch-1, one-token steps: every input and output is a native tensor
 * over a direct buffer, created once and reused, with outputs pinned so ONNX Runtime writes
 * into them. A step copies the caller's state in and the new state and logits out (a few KB),
 * so sessions hold plain arrays and no native memory. Not thread-safe: one per thread.
 */
public final class StepRunner implements AutoCloseable {

    private final LongBuffer token;
    private final FloatBuffer h;
    private final FloatBuffer c;
    private final FloatBuffer hOut;
    private final FloatBuffer cOut;
    private final FloatBuffer logits;
    private final Map<String, OnnxTensor> inputs = new HashMap<>();
    private final Map<String, OnnxTensor> outputs = new HashMap<>();

    public StepRunner(OrtEnvironment env, boolean lstm, int layers, int hidden, int vocab) throws OrtException {
        int state = layers * hidden;
        long[] stateShape = {layers, 1, hidden};
        token = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asLongBuffer();
        h = floats(state);
        hOut = floats(state);
        c = lstm ? floats(state) : null;
        cOut = lstm ? floats(state) : null;
        logits = floats(vocab);
        try {
            inputs.put(ModelContract.TOKENS, OnnxTensor.createTensor(env, token, new long[] {1, 1}));
            inputs.put(ModelContract.H0, OnnxTensor.createTensor(env, h, stateShape));
            outputs.put(ModelContract.LOGITS, OnnxTensor.createTensor(env, logits, new long[] {1, 1, vocab}));
            outputs.put(ModelContract.HN, OnnxTensor.createTensor(env, hOut, stateShape));
            if (lstm) {
                inputs.put(ModelContract.C0, OnnxTensor.createTensor(env, c, stateShape));
                outputs.put(ModelContract.CN, OnnxTensor.createTensor(env, cOut, stateShape));
            }
        } catch (OrtException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * Feeds one token: state ({@code hState}, {@code cState}) is advanced in place and the
     * next-token logits are written to {@code logitsOut}.
     */
    public void step(OrtSession session, int tokenId, float[] hState, float[] cState, float[] logitsOut)
            throws OrtException {
        token.put(0, tokenId);
        h.put(0, hState);
        if (c != null) {
            c.put(0, cState);
        }
        try (OrtSession.Result ignored = session.run(inputs, outputs)) {
            // Outputs are pinned: the values are already in our buffers.
        }
        hOut.get(0, hState);
        if (c != null) {
            cOut.get(0, cState);
        }
        logits.get(0, logitsOut);
    }

    @Override
    public void close() {
        inputs.values().forEach(OnnxTensor::close);
        outputs.values().forEach(OnnxTensor::close);
    }
}
