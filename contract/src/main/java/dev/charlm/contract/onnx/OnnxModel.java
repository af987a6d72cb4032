package dev.charlm.contract.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an ONNX model (one graph) and serialises it. Only what charlm needs: float, int8 and
 * int64 initializers, nodes of the default domain or another imported one (ONNX Runtime's
 * {@code com.microsoft} int8 kernels) with int/float/string/ints attributes, tensor inputs and
 * outputs with fixed or named dimensions, and metadata. Not thread-safe.
 *
 * <pre>{@code
 * OnnxModel m = new OnnxModel("graph", 17);
 * m.input("x", OnnxModel.FLOAT, "batch", 4);
 * m.floatInitializer("w", new long[] {4, 2}, weights);
 * m.node("MatMul", List.of("x", "w"), List.of("y"));
 * m.output("y", OnnxModel.FLOAT, "batch", 2);
 * byte[] bytes = m.toByteArray();
 * }</pre>
 */
public final class OnnxModel {

    /** TensorProto.DataType FLOAT. */
    public static final int FLOAT = 1;
    /** TensorProto.DataType INT8. */
    public static final int INT8 = 3;
    /** TensorProto.DataType INT64. */
    public static final int INT64 = 7;
    /** IR version 8: what ONNX 1.12 (Debian's python3-onnx) checks, with opsets up to 17. */
    public static final int IR_VERSION = 8;

    private final String graphName;
    private final int opset;
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Integer> otherDomains = new LinkedHashMap<>();
    private String producerName = "charlm";
    private String producerVersion = "";
    private String docString = "";

    public OnnxModel(String graphName, int opset) {
        this.graphName = graphName;
        this.opset = opset;
    }

    public OnnxModel producer(String name, String version) {
        this.producerName = name;
        this.producerVersion = version;
        return this;
    }

    public OnnxModel docString(String doc) {
        this.docString = doc;
        return this;
    }

    /** A metadata_props entry; insertion order is kept. */
    public OnnxModel metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /**
     * A graph input. Each dimension is an Integer/Long (fixed) or a String (named, dynamic).
     */
    public OnnxModel input(String name, int elemType, Object... dims) {
        inputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    /** A graph output; dimensions as for {@link #input}. */
    public OnnxModel output(String name, int elemType, Object... dims) {
        outputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    public OnnxModel floatInitializer(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        initializers.add(tensor(name, dims, FLOAT, raw.array()));
        return this;
    }

    public OnnxModel int8Initializer(String name, long[] dims, byte[] values) {
        initializers.add(tensor(name, dims, INT8, values.clone()));
        return this;
    }

    /** Imports an operator set besides the default one, for nodes of that domain. */
    public OnnxModel importDomain(String domain, int version) {
        otherDomains.put(domain, version);
        return this;
    }

    public OnnxModel int64Initializer(String name, long[] dims, long[] values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        initializers.add(tensor(name, dims, INT64, raw.array()));
        return this;
    }

    /** Adds a node without attributes; see {@link #node(String, List, List, Map)}. */
    public OnnxModel node(String opType, List<String> in, List<String> out) {
        return node(opType, in, out, Map.of());
    }

    /**
     * Adds a node. Attribute values may be Integer/Long (INT), Float (FLOAT), String (STRING),
     * long[] (INTS) or String[] (STRINGS). An empty input name marks an omitted optional input.
     */
    public OnnxModel node(String opType, List<String> in, List<String> out, Map<String, Object> attributes) {
        return node("", opType, in, out, attributes);
    }

    /** Adds a node of an imported domain ({@link #importDomain}); "" is the default domain. */
    public OnnxModel node(String domain, String opType, List<String> in, List<String> out,
            Map<String, Object> attributes) {
        if (!domain.isEmpty() && !otherDomains.containsKey(domain)) {
            throw new IllegalArgumentException("domain " + domain + " is not imported");
        }
        ProtoWriter n = new ProtoWriter();
        for (String i : in) {
            n.string(1, i);
        }
        for (String o : out) {
            n.string(2, o);
        }
        n.string(3, opType + "_" + nodes.size());
        n.string(4, opType);
        for (Map.Entry<String, Object> a : attributes.entrySet()) {
            n.message(5, attribute(a.getKey(), a.getValue()));
        }
        if (!domain.isEmpty()) {
            n.string(7, domain);
        }
        nodes.add(n);
        return this;
    }

    /** Serialises the model (ModelProto). */
    public byte[] toByteArray() {
        ProtoWriter graph = new ProtoWriter();
        nodes.forEach(n -> graph.message(1, n));
        graph.string(2, graphName);
        initializers.forEach(t -> graph.message(5, t));
        inputs.forEach(v -> graph.message(11, v));
        outputs.forEach(v -> graph.message(12, v));

        ProtoWriter model = new ProtoWriter();
        model.int64(1, IR_VERSION);
        model.string(2, producerName);
        model.string(3, producerVersion);
        if (!docString.isEmpty()) {
            model.string(6, docString);
        }
        model.message(7, graph);
        model.message(8, new ProtoWriter().string(1, "").int64(2, opset));
        otherDomains.forEach((domain, version) -> model.message(8, new ProtoWriter().string(1, domain).int64(2, version)));
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            model.message(14, new ProtoWriter().string(1, e.getKey()).string(2, e.getValue()));
        }
        return model.toByteArray();
    }

    private static ProtoWriter tensor(String name, long[] dims, int dataType, byte[] raw) {
        return new ProtoWriter().packedInt64(1, dims).int64(2, dataType).string(8, name).bytes(9, raw);
    }

    private static ProtoWriter valueInfo(String name, int elemType, Object... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : dims) {
            ProtoWriter dim = new ProtoWriter();
            if (d instanceof String) {
                dim.string(2, (String) d);
            } else {
                dim.int64(1, ((Number) d).longValue());
            }
            shape.message(1, dim);
        }
        ProtoWriter tensorType = new ProtoWriter().int64(1, elemType).message(2, shape);
        ProtoWriter type = new ProtoWriter().message(1, tensorType);
        return new ProtoWriter().string(1, name).message(2, type);
    }

    private static ProtoWriter attribute(String name, Object value) {
        ProtoWriter a = new ProtoWriter().string(1, name);
        if (value instanceof Float) {
            return a.float32(2, (Float) value).int64(20, 1);
        }
        if (value instanceof Integer || value instanceof Long) {
            return a.int64(3, ((Number) value).longValue()).int64(20, 2);
        }
        if (value instanceof String) {
            return a.string(4, (String) value).int64(20, 3);
        }
        if (value instanceof long[]) {
            for (long v : (long[]) value) {
                a.int64(8, v); // unpacked: what onnx's own serializer writes for ints
            }
            return a.int64(20, 7);
        }
        if (value instanceof String[]) {
            for (String v : (String[]) value) {
                a.string(9, v);
            }
            return a.int64(20, 8);
        }
        throw new IllegalArgumentException("attribute " + name + ": unsupported value type "
                + value.getClass().getSimpleName());
    }
}
