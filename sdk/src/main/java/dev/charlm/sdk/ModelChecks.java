package dev.charlm.sdk;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.charlm.contract.ModelContract;
import dev.charlm.contract.ModelMetadata;
import dev.charlm.contract.onnx.OnnxFile;
import dev.charlm.contract.onnx.OnnxModel;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a file must be to be loaded as a charlm model, checked in order of cost: its size and
 * first byte before it is read whole, then its metadata ({@link ModelMetadata}) and the
 * graph's inputs and outputs against the contract.
 */
final class ModelChecks {

    /** First bytes a serialized ModelProto can start with: the tags of its fields 1-8, 14, 20-25. */
    private static final Set<Integer> MODEL_PROTO_TAGS = Set.of(0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72,
            0xa2, 0xaa, 0xb2, 0xba, 0xc2, 0xca);

    private ModelChecks() {}

    static void checkSize(String name, long size) throws InvalidModelException {
        if (size == 0) {
            throw new InvalidModelException(name, "file is empty, expected an ONNX model");
        }
        if (size > CharModel.MAX_MODEL_BYTES) {
            throw new InvalidModelException(name, "is larger than 2 GB; an ONNX model without external data is"
                    + " smaller, so this is not a charlm model");
        }
    }

    static void checkHeader(String name, byte[] first) throws InvalidModelException {
        if (first.length == 0) {
            throw new InvalidModelException(name, "file is empty, expected an ONNX model");
        }
        if (!MODEL_PROTO_TAGS.contains(first[0] & 0xff)) {
            throw new InvalidModelException(name, String.format("not a valid ONNX model (it starts with byte 0x%02x,"
                    + " which no ONNX model starts with)", first[0] & 0xff));
        }
    }

    /**
     * A file using ONNX Runtime's int8 LSTM kernel must import its domain and give every
     * DynamicQuantizeLSTM int8 W [1, in, 4H] and R [1, H, 4H] with float scales and int8 zero
     * points of shape [1, 4H] (or [1]): ONNX Runtime checks some of this only when it runs.
     * Checked before a session is made; a file without that kernel passes untouched.
     */
    static void checkQuantized(String name, byte[] bytes) throws InvalidModelException {
        OnnxFile file;
        try {
            file = OnnxFile.parse(bytes);
        } catch (IllegalArgumentException e) {
            return; // not one of charlm's files: ONNX Runtime says what is wrong with it
        }
        for (OnnxFile.Node node : file.nodes()) {
            if (!node.opType().equals("DynamicQuantizeLSTM")) {
                continue;
            }
            if (!file.opsets().containsKey(node.domain())) {
                throw new InvalidModelException(name, "its DynamicQuantizeLSTM nodes belong to the domain '"
                        + node.domain() + "', which the model does not import (opset_import)");
            }
            List<String> in = node.inputs();
            if (in.size() < 12) {
                throw new InvalidModelException(name, "a DynamicQuantizeLSTM node has " + in.size()
                        + " inputs; its scales and zero points (inputs 9 to 12) are missing");
            }
            OnnxFile.Tensor w = tensor(name, file, in.get(1));
            OnnxFile.Tensor r = tensor(name, file, in.get(2));
            if (w.dims().length != 3 || r.dims().length != 3 || w.dataType() != OnnxModel.INT8
                    || r.dataType() != OnnxModel.INT8) {
                throw new InvalidModelException(name, "DynamicQuantizeLSTM weights " + w.name() + " and " + r.name()
                        + " must be int8 tensors of rank 3");
            }
            long rows = w.dims()[2];
            for (int i = 8; i < 12; i++) {
                OnnxFile.Tensor t = tensor(name, file, in.get(i));
                boolean scale = i % 2 == 0;
                long[] d = t.dims();
                boolean perRow = d.length == 2 && d[0] == 1 && d[1] == rows;
                boolean perTensor = d.length == 1 && d[0] == 1;
                if (!(perRow || perTensor) || t.dataType() != (scale ? OnnxModel.FLOAT : OnnxModel.INT8)) {
                    throw new InvalidModelException(name, (scale ? "scale " : "zero point ") + t.name() + " has shape "
                            + Arrays.toString(d) + (scale ? "" : " and type " + t.dataType()) + "; the weights "
                            + (i < 10 ? w.name() : r.name()) + " need [1, " + rows + "] (one per output row) or [1]"
                            + (scale ? " of float" : " of int8"));
                }
            }
        }
    }

    private static OnnxFile.Tensor tensor(String name, OnnxFile file, String input) throws InvalidModelException {
        OnnxFile.Tensor t = file.initializers().get(input);
        if (t == null) {
            throw new InvalidModelException(name, "DynamicQuantizeLSTM input " + input + " is not an initializer");
        }
        return t;
    }

    static ModelInfo validate(String name, OrtSession session) throws InvalidModelException {
        Map<String, String> md;
        try {
            md = session.getMetadata().getCustomMetadata();
        } catch (OrtException e) {
            throw new InvalidModelException(name, "cannot read metadata: " + e.getMessage(), e);
        }
        ModelMetadata metadata;
        try {
            metadata = ModelMetadata.fromProperties(md);
        } catch (ModelMetadata.InvalidMetadataException e) {
            throw new InvalidModelException(name, e.getMessage());
        }
        boolean lstm = metadata.cell().hasCellState();
        String cell = metadata.cell().id();
        try {
            Map<String, NodeInfo> in = session.getInputInfo();
            Map<String, NodeInfo> out = session.getOutputInfo();
            Set<String> expectedIn = lstm ? Set.of(ModelContract.TOKENS, ModelContract.H0, ModelContract.C0)
                    : Set.of(ModelContract.TOKENS, ModelContract.H0);
            Set<String> expectedOut = lstm ? Set.of(ModelContract.LOGITS, ModelContract.HN, ModelContract.CN)
                    : Set.of(ModelContract.LOGITS, ModelContract.HN);
            if (!in.keySet().equals(expectedIn)) {
                throw new InvalidModelException(name, "inputs are " + new TreeSet<>(in.keySet()) + ", a " + cell
                        + " charlm model has " + new TreeSet<>(expectedIn));
            }
            if (!out.keySet().equals(expectedOut)) {
                throw new InvalidModelException(name, "outputs are " + new TreeSet<>(out.keySet()) + ", a " + cell
                        + " charlm model has " + new TreeSet<>(expectedOut));
            }
            checkTensor(name, in.get(ModelContract.TOKENS), OnnxJavaType.INT64, 2, -1, -1);
            for (String s : lstm ? List.of(ModelContract.H0, ModelContract.C0) : List.of(ModelContract.H0)) {
                checkTensor(name, in.get(s), OnnxJavaType.FLOAT, 3, metadata.layers(), metadata.hidden());
            }
            checkTensor(name, out.get(ModelContract.LOGITS), OnnxJavaType.FLOAT, 3, -1, metadata.vocabulary().size());
        } catch (OrtException e) {
            throw new InvalidModelException(name, "cannot read inputs and outputs: " + e.getMessage(), e);
        }
        return new ModelInfo(name, metadata, Collections.unmodifiableMap(new LinkedHashMap<>(md)));
    }

    /**
     * Checks a tensor's type and rank, and its first and last dimensions where the file fixes
     * them (-1 to skip): a state's first dimension is the number of layers the metadata claims.
     */
    static void checkTensor(String name, NodeInfo node, OnnxJavaType type, int rank, int firstDim, int lastDim)
            throws InvalidModelException {
        if (!(node.getInfo() instanceof TensorInfo)) {
            throw new InvalidModelException(name, node.getName() + " is not a tensor");
        }
        TensorInfo t = (TensorInfo) node.getInfo();
        long[] shape = t.getShape();
        if (t.type != type || shape.length != rank || (lastDim > 0 && shape[rank - 1] != lastDim)) {
            throw new InvalidModelException(name, node.getName() + " is " + t.type + " " + Arrays.toString(shape)
                    + ", expected " + type + " of rank " + rank + (lastDim > 0 ? " ending in " + lastDim : ""));
        }
        if (firstDim > 0 && shape[0] > 0 && shape[0] != firstDim) {
            throw new InvalidModelException(name, node.getName() + " has " + shape[0] + " layers in "
                    + Arrays.toString(shape) + " but " + ModelContract.KEY_LAYERS + " says " + firstDim);
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
