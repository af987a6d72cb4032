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
 * One thread's tensors for one-token steps of a fixed batch size: every input and output is a
 * native tensor over a direct buffer, created once and reused, with outputs pinned so ONNX
 * Runtime writes into them. A step copies the caller's state in and the new state and logits
 * out (a few KB per row), so sessions hold plain arrays and no native memory. Not thread-safe:
 * one per thread and batch size.
 */
public final class StepRunner implements AutoCloseable {

    private final int batch;
    private final int stateSize;
    private final int vocab;
    private final LongBuffer token;
    private final FloatBuffer h;
    private final FloatBuffer c;
    private final FloatBuffer hOut;
    private final FloatBuffer cOut;
    private final FloatBuffer logits;
    private final Map<String, OnnxTensor> inputs = new HashMap<>();
    private final Map<String, OnnxTensor> outputs = new HashMap<>();

    public StepRunner(OrtEnvironment env, boolean lstm, int layers, int hidden, int vocab) throws OrtException {
        this(env, lstm, layers, hidden, vocab, 1);
    }

    public StepRunner(OrtEnvironment env, boolean lstm, int layers, int hidden, int vocab, int batch)
            throws OrtException {
        this.batch = batch;
        this.vocab = vocab;
        int state = layers * batch * hidden;
        this.stateSize = state;
        long[] stateShape = {layers, batch, hidden};
        token = ByteBuffer.allocateDirect(8 * batch).order(ByteOrder.nativeOrder()).asLongBuffer();
        h = floats(state);
        hOut = floats(state);
        c = lstm ? floats(state) : null;
        cOut = lstm ? floats(state) : null;
        logits = floats(batch * vocab);
        try {
            inputs.put(ModelContract.TOKENS, OnnxTensor.createTensor(env, token, new long[] {batch, 1}));
            inputs.put(ModelContract.H0, OnnxTensor.createTensor(env, h, stateShape));
            outputs.put(ModelContract.LOGITS, OnnxTensor.createTensor(env, logits, new long[] {batch, 1, vocab}));
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

    /**
     * One step of {@code batch} rows: tokens[0..batch), states laid out [layers, batch, hidden]
     * in the first {@code layers * batch * hidden} elements of {@code h}/{@code c} (larger
     * arrays are fine), results written to the same prefixes of the output arrays.
     */
    public void run(OrtSession session, long[] tokens, float[] h, float[] c, float[] logitsOut, float[] hOut,
            float[] cOut) throws OrtException {
        token.put(0, tokens, 0, batch);
        this.h.put(0, h, 0, stateSize);
        if (this.c != null) {
            this.c.put(0, c, 0, stateSize);
        }
        try (OrtSession.Result ignored = session.run(inputs, outputs)) {
            // Outputs are pinned: the values are already in our buffers.
        }
        this.hOut.get(0, hOut, 0, stateSize);
        if (this.c != null) {
            this.cOut.get(0, cOut, 0, stateSize);
        }
        logits.get(0, logitsOut, 0, batch * vocab);
    }

    @Override
    public void close() {
        inputs.values().forEach(OnnxTensor::close);
        outputs.values().forEach(OnnxTensor::close);
    }
}
