package dev.charlm.trainer.checkpoint;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal file of named float tensors, readable without DJL:
 *
 * <pre>
 * "CHARLMT1"                      8 bytes magic
 * int32   count                   big-endian, as every number here
 * count x { utf name; int32 rank; int64 dims[rank]; float32 values[prod(dims)] little-endian }
 * </pre>
 */
public final class TensorFile {

    private static final byte[] MAGIC = {'C', 'H', 'A', 'R', 'L', 'M', 'T', '1'};

    private TensorFile() {}

    /** The file's bytes for these tensors. */
    public static byte[] toBytes(Map<String, Tensor> tensors) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(bytes, tensors);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen in memory
        }
        return bytes.toByteArray();
    }

    /** Writes the tensors to a stream, which is left open. */
    public static void write(OutputStream stream, Map<String, Tensor> tensors) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(stream, 1 << 16));
        out.write(MAGIC);
        out.writeInt(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            out.writeUTF(e.getKey());
            long[] shape = e.getValue().shape();
            out.writeInt(shape.length);
            for (long d : shape) {
                out.writeLong(d);
            }
            float[] values = e.getValue().values();
            ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(values);
            out.write(buf.array());
        }
        out.flush();
    }

    /** Whether {@code file} starts as a tensor file does. */
    public static boolean hasMagic(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads a tensor file.
     *
     * @throws IOException with a message naming the file and what is wrong with it
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        long remaining = Files.size(file) - MAGIC.length - 4;
        try (DataInputStream in = new DataInputStream(
                new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + ": not a charlm tensor file (bad magic)");
            }
            int count = in.readInt();
            if (count < 0 || count > 100_000) {
                throw new IOException(file + ": corrupt tensor count " + count);
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int rank = in.readInt();
                if (rank < 0 || rank > 8) {
                    throw new IOException(file + ": tensor " + name + " has corrupt rank " + rank);
                }
                long[] shape = new long[rank];
                long size = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.readLong();
                    size *= shape[d];
                }
                if (shape.length > 0 && (size < 0 || size > Integer.MAX_VALUE / 4)) {
                    throw new IOException(file + ": tensor " + name + " has corrupt size " + size);
                }
                // The header is checked against the file before anything is allocated for it.
                remaining -= 2 + name.length() + 4 + 8L * rank;
                if (size * 4 > remaining) {
                    throw new IOException(file + ": truncated (file ends early)");
                }
                remaining -= size * 4;
                byte[] bytes = new byte[(int) size * 4];
                in.readFully(bytes);
                float[] values = new float[(int) size];
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                tensors.put(name, new Tensor(shape, values));
            }
            return tensors;
        } catch (EOFException e) {
            throw new IOException(file + ": truncated (file ends early)");
        }
    }
}
