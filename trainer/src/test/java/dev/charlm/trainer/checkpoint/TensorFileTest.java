package dev.charlm.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFileTest {

    @TempDir Path dir;

    @Test
    void roundTripsNamesShapesAndValuesInOrder() throws Exception {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("b", new Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, Float.NaN}));
        in.put("a", new Tensor(new long[] {1}, new float[] {-0.5f}));
        Path f = dir.resolve("t.bin");
        Files.write(f, TensorFile.toBytes(in));
        Map<String, Tensor> out = TensorFile.read(f);
        assertEquals(in.keySet().stream().toList(), out.keySet().stream().toList());
        for (String k : in.keySet()) {
            assertArrayEquals(in.get(k).shape(), out.get(k).shape());
            assertArrayEquals(in.get(k).values(), out.get(k).values());
        }
    }

    @Test
    void truncatedAndForeignFilesAreNamed() throws Exception {
        byte[] bytes = TensorFile.toBytes(Map.of("w", new Tensor(new long[] {4}, new float[4])));
        Path cut = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(bytes, bytes.length - 3));
        assertEquals(cut + ": truncated (file ends early)",
                assertThrows(IOException.class, () -> TensorFile.read(cut)).getMessage());
        Path foreign = Files.writeString(dir.resolve("x.bin"), "hello, world");
        assertEquals(foreign + ": not a charlm tensor file (bad magic)",
                assertThrows(IOException.class, () -> TensorFile.read(foreign)).getMessage());
    }

    /** A header that claims ~2 GB of floats in a tiny file is refused before anything is allocated. */
    @Test
    void aHeaderClaimingMoreThanTheFileHoldsIsRefusedWithoutAllocating() throws Exception {
        byte[] bytes = TensorFile.toBytes(Map.of("w", new Tensor(new long[] {4}, new float[4])));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        int dimAt = 8 + 4 + 2 + 1 + 4; // magic, count, name length, "w", rank
        b.putLong(dimAt, (Integer.MAX_VALUE / 4) - 1);
        Path lying = Files.write(dir.resolve("lying.bin"), bytes);
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertEquals(lying + ": truncated (file ends early)",
                assertThrows(IOException.class, () -> TensorFile.read(lying)).getMessage());
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        org.junit.jupiter.api.Assertions.assertTrue(after - before < 256L << 20,
                "read allocated " + (after - before) / (1 << 20) + " MB for a " + bytes.length + "-byte file");
    }
}
