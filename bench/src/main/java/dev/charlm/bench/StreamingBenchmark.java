package dev.charlm.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.charlm.contract.ModelContract;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.charlm.sdk.GenerationSession;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Batch-1 streaming on one thread with the default model: one operation is one generated
 * character. {@code sessionStep} is the sdk (sampling, state copies, the ONNX Runtime call);
 * {@code ortCallOnly} is the bare ONNX Runtime call on reused pinned tensors, the floor. Their
 * difference is the Java-side cost per step.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StreamingBenchmark {

    /** The sdk: a primed session generating greedily. */
    @State(Scope.Thread)
    public static class Sdk {
        CharModel model;
        GenerationSession session;
        Iterator<String> characters;

        @Setup(Level.Trial)
        public void load() throws Exception {
            model = CharModel.loadDefault();
            session = model.newSession();
            session.feed("the time traveller");
        }

        @Setup(Level.Iteration)
        public void restart() {
            characters = session.iterator(GenerationOptions.builder().temperature(0.8).seed(1)
                    .maxCharacters(Integer.MAX_VALUE).build());
        }

        @TearDown(Level.Trial)
        public void close() {
            model.close();
        }
    }

    /** ONNX Runtime alone: the same model and options, tensors created once, outputs pinned. */
    @State(Scope.Thread)
    public static class Raw {
        OrtSession session;
        final Map<String, OnnxTensor> inputs = new HashMap<>();
        final Map<String, OnnxTensor> outputs = new HashMap<>();

        @Setup(Level.Trial)
        public void load() throws Exception {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            byte[] bytes;
            try (InputStream in = CharModel.class.getResourceAsStream(CharModel.DEFAULT_MODEL_RESOURCE)) {
                bytes = in.readAllBytes();
            }
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(1);
                o.setInterOpNumThreads(1);
                session = env.createSession(bytes, o);
            }
            long[] state = {2, 1, 256};
            LongBuffer token = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asLongBuffer();
            token.put(0, 3);
            inputs.put(ModelContract.TOKENS, OnnxTensor.createTensor(env, token, new long[] {1, 1}));
            inputs.put(ModelContract.H0, OnnxTensor.createTensor(env, floats(512), state));
            inputs.put(ModelContract.C0, OnnxTensor.createTensor(env, floats(512), state));
            outputs.put(ModelContract.LOGITS, OnnxTensor.createTensor(env, floats(28), new long[] {1, 1, 28}));
            outputs.put(ModelContract.HN, OnnxTensor.createTensor(env, floats(512), state));
            outputs.put(ModelContract.CN, OnnxTensor.createTensor(env, floats(512), state));
        }

        static FloatBuffer floats(int n) {
            return ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }

        @TearDown(Level.Trial)
        public void close() throws OrtException {
            inputs.values().forEach(OnnxTensor::close);
            outputs.values().forEach(OnnxTensor::close);
            session.close();
        }
    }

    @Benchmark
    public String sessionStep(Sdk s) {
        return s.characters.next();
    }

    @Benchmark
    public int ortCallOnly(Raw r) throws OrtException {
        try (OrtSession.Result result = r.session.run(r.inputs, r.outputs)) {
            return result.size();
        }
    }
}
