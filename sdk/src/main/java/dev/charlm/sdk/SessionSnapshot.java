package dev.charlm.sdk;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The complete state of a {@link GenerationSession} at one point: hidden (and cell) state and
 * the next-character logits. Immutable; restores a session exactly, in this process or another
 * ({@link #toBytes()}, {@link #fromBytes(byte[])}), but only into the same model.
 *
 * <p>The bytes end with a CRC-32C of everything before it, so bytes damaged in storage or
 * transit (any single flipped bit, any burst up to 32 bits) are refused rather than restored as
 * a different state; so are states holding NaN or infinity. A checksum is not a signature:
 * bytes from a party that means harm must be authenticated by the app.
 */
public final class SessionSnapshot {

    private static final int MAGIC = 0x434C4D53; // "CLMS"
    /** 2: a CRC-32C trailer and finite values only. */
    private static final int VERSION = 2;

    private final long modelFingerprint;
    private final float[] h;
    private final float[] c;
    private final float[] logits;
    private final boolean fresh;

    SessionSnapshot(long modelFingerprint, float[] h, float[] c, float[] logits, boolean fresh) {
        this.modelFingerprint = modelFingerprint;
        this.h = h.clone();
        this.c = c == null ? null : c.clone();
        this.logits = logits == null ? null : logits.clone();
        this.fresh = fresh;
    }

    long modelFingerprint() {
        return modelFingerprint;
    }

    float[] h() {
        return h;
    }

    float[] c() {
        return c;
    }

    float[] logits() {
        return logits;
    }

    boolean fresh() {
        return fresh;
    }

    /** A portable encoding of this snapshot. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 4 * (2 * h.length + (logits == null ? 0 : logits.length)));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(modelFingerprint);
            out.writeBoolean(fresh);
            writeArray(out, h);
            writeArray(out, c);
            writeArray(out, logits);
            out.writeInt(checksum(bytes.toByteArray(), bytes.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static int checksum(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /**
     * Decodes {@link #toBytes()}.
     *
     * @throws IllegalArgumentException if the bytes are null or not a whole snapshot
     */
    public static SessionSnapshot fromBytes(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("snapshot bytes are null");
        }
        if (bytes.length < 12) {
            throw new IllegalArgumentException("truncated charlm session snapshot (" + bytes.length + " bytes)");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a charlm session snapshot (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("snapshot version " + version + ", expected " + VERSION
                        + (version == 1 ? " (taken by an older charlm sdk, without a checksum; take it again)" : ""));
            }
            int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
            if (stored != checksum(bytes, bytes.length - 4)) {
                throw new IllegalArgumentException("corrupt charlm session snapshot (checksum mismatch)");
            }
            long fingerprint = in.readLong();
            boolean fresh = in.readBoolean();
            float[] h = readArray(in);
            float[] c = readArray(in);
            float[] logits = readArray(in);
            if (h == null || in.available() != 0 || (c != null && c.length != h.length)) {
                throw new IllegalArgumentException("corrupt charlm session snapshot");
            }
            for (float[] a : new float[][] {h, c, logits}) {
                for (int i = 0; a != null && i < a.length; i++) {
                    if (!Float.isFinite(a[i])) {
                        throw new IllegalArgumentException("charlm session snapshot holds " + a[i]
                                + " (a state from a diverged model, or damaged bytes)");
                    }
                }
            }
            return new SessionSnapshot(fingerprint, h, c, logits, fresh);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated charlm session snapshot", e);
        }
    }

    private static void writeArray(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a == null ? -1 : a.length);
        if (a != null) {
            for (float v : a) {
                out.writeFloat(v);
            }
        }
    }

    private static float[] readArray(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < -1 || n > (1 << 24) || (n > 0 && 4L * n > in.available())) {
            throw new IllegalArgumentException("corrupt charlm session snapshot (array length " + n + ")");
        }
        if (n == -1) {
            return null;
        }
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readFloat();
        }
        return a;
    }
}
