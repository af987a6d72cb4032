package dev.charlm.sdk.internal;

import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import dev.charlm.sdk.TextSegment;
import dev.charlm.sdk.TextSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.OptionalLong;

/**
 * Opens a {@link TokenReader} over one segment of a text, resolving the segment's byte offsets
 * as {@link TextSegment} defines them: each moved forward to a character start, the warm-up
 * reaching back at least to the last character the preprocessing keeps before the segment.
 */
public final class SegmentReaders {

    private static final int MAX_CONTINUATION = 3;
    private static final int BACK_BLOCK = 4096;

    private SegmentReaders() {}

    /**
     * @param knownSize the text's size in bytes; empty for a stream (read whole, from its start)
     */
    public static TokenReader open(TextSource source, OptionalLong knownSize, TextSegment segment,
            Preprocessing preprocessing, Vocabulary vocab) throws IOException {
        if (knownSize.isEmpty()) {
            return new TokenReader(source.open(0), source.name(), preprocessing, vocab, 0, 0, Long.MAX_VALUE, true);
        }
        long size = knownSize.getAsLong();
        long start = align(source, segment.start(), size);
        long end = segment.end() >= size ? size : align(source, segment.end(), size);
        long from = start;
        if (start > 0) {
            long warmup = segment.warmupStart() == 0 ? 0 : align(source, segment.warmupStart(), size);
            long kept = lastKeptCharacter(source, start, preprocessing);
            from = kept >= 0 ? Math.min(warmup, kept) : warmup;
        }
        ReadableByteChannel ch = source.open(from);
        return new TokenReader(ch, source.name(), preprocessing, vocab, from, start, Math.max(start, end),
                segment.end() >= size);
    }

    /** The first offset at or after {@code pos} that does not hold a UTF-8 continuation byte (at most 3 on). */
    static long align(TextSource source, long pos, long size) throws IOException {
        if (pos <= 0 || pos >= size) {
            return Math.max(0, Math.min(pos, size));
        }
        ByteBuffer b = read(source, pos, (int) Math.min(MAX_CONTINUATION, size - pos));
        int skip = 0;
        while (skip < b.limit() && (b.get(skip) & 0xC0) == 0x80) {
            skip++;
        }
        return pos + skip;
    }

    /** The offset of the last character before {@code pos} that the preprocessing keeps, or -1. */
    static long lastKeptCharacter(TextSource source, long pos, Preprocessing preprocessing) throws IOException {
        long end = pos;
        while (end > 0) {
            long from = Math.max(0, end - BACK_BLOCK);
            ByteBuffer b = read(source, from, (int) (end - from));
            for (int i = b.limit() - 1; i >= 0; i--) {
                if (preprocessing.keepsCharacterStartingWith(b.get(i))) {
                    return from + i;
                }
            }
            end = from;
        }
        return -1;
    }

    private static ByteBuffer read(TextSource source, long pos, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        try (ReadableByteChannel ch = source.open(pos)) {
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // keep reading
            }
        }
        b.flip();
        return b;
    }
}
