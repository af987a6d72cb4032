package dev.charlm.sdk;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A piece of a text scored on its own batch row: the characters whose first byte lies in [start,
 * end) are predicted, each once, from a state warmed up on the characters from {@code
 * warmupStart} to {@code start} (read as inputs only; the previous segment predicts them). The
 * offsets are bytes of the file, as planned from its size alone, so that a cluster driver can
 * plan without reading; readers move each offset forward to the next character start (past at
 * most three UTF-8 continuation bytes), the same way for the segment that ends there and the one
 * that starts there, and reach back before {@code warmupStart} if needed to include at least
 * the one character that predicts the first one of the segment.
 *
 * @param text which text of the batch, an index into the caller's list of sources
 * @param index the segment's position within its text, from 0
 * @param start first byte of the segment
 * @param end the byte after the segment ({@code Long.MAX_VALUE}: to the end of a stream)
 * @param warmupStart first byte of the warm-up ({@code start} for none)
 */
public record TextSegment(int text, int index, long start, long end, long warmupStart) implements Serializable {

    public TextSegment {
        if (start < 0 || end < start || warmupStart < 0 || warmupStart > start) {
            throw new IllegalArgumentException("segment offsets out of order: warm-up " + warmupStart + ", start "
                    + start + ", end " + end);
        }
    }

    /** The same segment of another text number (a caller that numbers its texts differently). */
    public TextSegment withText(int newText) {
        return new TextSegment(newText, index, start, end, warmupStart);
    }

    /** The one segment of a text read whole, from its start to its end (a stream's, whatever its size). */
    public static TextSegment whole(int text) {
        return new TextSegment(text, 0, 0, Long.MAX_VALUE, 0);
    }

    /**
     * Cuts a text of {@code size} bytes into segments of {@code segmentBytes}, each warmed up on
     * the {@code warmupBytes} before it; a text no longer than one segment is one segment.
     */
    public static List<TextSegment> plan(int text, long size, long segmentBytes, long warmupBytes) {
        if (segmentBytes < 1 || warmupBytes < 0 || size < 0) {
            throw new IllegalArgumentException("segment length must be positive, warm-up and size >= 0, got "
                    + segmentBytes + ", " + warmupBytes + " and " + size);
        }
        List<TextSegment> segments = new ArrayList<>();
        int index = 0;
        for (long start = 0; start < size || index == 0; start += segmentBytes) {
            long end = segmentBytes >= size - start ? size : start + segmentBytes;
            segments.add(new TextSegment(text, index++, start, end, Math.max(0, start - warmupBytes)));
            if (end >= size) {
                break;
            }
        }
        return segments;
    }
}
