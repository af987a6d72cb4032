package dev.charlm.contract.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back what {@link OnnxModel} writes: the metadata, the initializers (from their raw
 * bytes), the nodes' operator types and domains, and the imported operator sets. Enough to
 * rewrite a charlm model (the quantizer) or to check one; not a general ONNX reader: a tensor
 * stored otherwise than as raw bytes is refused.
 */
public final class OnnxFile {

    /** An initializer: its shape, its {@code TensorProto.DataType} and its little-endian bytes. */
    public record Tensor(String name, long[] dims, int dataType, byte[] raw) {

        public float[] floats() {
            require(OnnxModel.FLOAT);
            float[] v = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            return v;
        }

        public long size() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }

        private void require(int type) {
            if (dataType != type) {
                throw new IllegalArgumentException(name + " has data type " + dataType + ", expected " + type);
            }
        }
    }

    /** A node: its operator, its domain ("" for the default) and its inputs. */
    public record Node(String opType, String domain, List<String> inputs) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Long> opsets = new LinkedHashMap<>();

    private OnnxFile() {}

    /**
     * Parses a model.
     *
     * @throws IllegalArgumentException if the bytes are not a model this reader understands
     */
    public static OnnxFile parse(byte[] bytes) {
        OnnxFile f = new OnnxFile();
        try {
            Reader model = new Reader(bytes, 0, bytes.length);
            while (model.more()) {
                int field = model.tag();
                switch (field) {
                    case 7 -> f.graph(model.message());
                    case 8 -> f.opset(model.message());
                    case 14 -> f.metadata(model.message());
                    default -> model.skip();
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated or not an ONNX model", e);
        }
        return f;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Map<String, Tensor> initializers() {
        return initializers;
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** Imported operator sets by domain ("" for the default) and version. */
    public Map<String, Long> opsets() {
        return opsets;
    }

    private void graph(Reader g) {
        while (g.more()) {
            int field = g.tag();
            switch (field) {
                case 1 -> node(g.message());
                case 5 -> tensor(g.message());
                default -> g.skip();
            }
        }
    }

    private void node(Reader n) {
        List<String> inputs = new ArrayList<>();
        String op = "";
        String domain = "";
        while (n.more()) {
            int field = n.tag();
            switch (field) {
                case 1 -> inputs.add(n.string());
                case 4 -> op = n.string();
                case 7 -> domain = n.string();
                default -> n.skip();
            }
        }
        nodes.add(new Node(op, domain, List.copyOf(inputs)));
    }

    private void tensor(Reader t) {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String name = "";
        byte[] raw = null;
        while (t.more()) {
            int field = t.tag();
            switch (field) {
                case 1 -> {
                    if (t.wireType() == 2) {
                        Reader packed = t.message();
                        while (packed.more()) {
                            dims.add(packed.varint());
                        }
                    } else {
                        dims.add(t.varint());
                    }
                }
                case 2 -> type = (int) t.varint();
                case 8 -> name = t.string();
                case 9 -> raw = t.bytes();
                default -> t.skip();
            }
        }
        if (raw == null) {
            throw new IllegalArgumentException("initializer " + name + " is not stored as raw bytes");
        }
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i);
        }
        initializers.put(name, new Tensor(name, d, type, raw));
    }

    private void opset(Reader o) {
        String domain = "";
        long version = 0;
        while (o.more()) {
            int field = o.tag();
            switch (field) {
                case 1 -> domain = o.string();
                case 2 -> version = o.varint();
                default -> o.skip();
            }
        }
        opsets.put(domain, version);
    }

    private void metadata(Reader m) {
        String key = "";
        String value = "";
        while (m.more()) {
            int field = m.tag();
            switch (field) {
                case 1 -> key = m.string();
                case 2 -> value = m.string();
                default -> m.skip();
            }
        }
        metadata.put(key, value);
    }

    /** The protobuf wire format, read in place. */
    private static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;
        private int wireType;

        Reader(byte[] b, int from, int end) {
            this.b = b;
            this.pos = from;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            long key = varint();
            wireType = (int) (key & 7);
            return (int) (key >>> 3);
        }

        int wireType() {
            return wireType;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IndexOutOfBoundsException("varint past the end");
                }
                byte x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        private int length() {
            long n = varint();
            if (n < 0 || n > end - pos) {
                throw new IndexOutOfBoundsException("length " + n + " past the end");
            }
            return (int) n;
        }

        Reader message() {
            int n = length();
            Reader r = new Reader(b, pos, pos + n);
            pos += n;
            return r;
        }

        byte[] bytes() {
            int n = length();
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int n = length(); // read first: "pos += length()" would add to the old position
                    pos += n;
                }
                case 5 -> pos += 4;
                default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
            }
            if (pos > end) {
                throw new IndexOutOfBoundsException("field past the end");
            }
        }
    }
}
