package dev.charlm.contract;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one strict reading of text bytes, whole or in pieces: valid UTF-8 only (a bad sequence is
 * an error naming its byte offset, never replaced), no NUL byte (a binary file), and a byte-order
 * mark at the very start of a text dropped. Pieces may split a multi-byte sequence anywhere.
 * Every refusal is an {@link InvalidTextException} naming the source. Not thread-safe.
 */
public final class StrictUtf8Decoder {

    private final String source;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private long offset;
    private boolean atTextStart;
    private CharBuffer chars = CharBuffer.allocate(0);

    /**
     * @param source names the input in messages
     * @param offset the absolute byte offset of the first byte that will be decoded
     */
    public StrictUtf8Decoder(String source, long offset) {
        this.source = source;
        this.offset = offset;
        this.atTextStart = offset == 0;
    }

    /**
     * Decodes the next piece, appending its characters to {@code out}; an incomplete sequence
     * at the end waits for the next piece.
     *
     * @param last whether this is the last piece (an incomplete sequence is then an error)
     */
    public void decode(byte[] bytes, int from, int length, boolean last, StringBuilder out)
            throws InvalidTextException {
        for (int i = from; i < from + length; i++) {
            if (bytes[i] == 0) {
                long at = offset + pending.remaining() + i - from;
                throw new InvalidTextException(source, "looks binary (NUL byte at offset " + at
                        + "), expected UTF-8 text", at);
            }
        }
        ByteBuffer in;
        if (pending.hasRemaining()) {
            in = ByteBuffer.allocate(pending.remaining() + length);
            in.put(pending).put(bytes, from, length).flip();
        } else {
            in = ByteBuffer.wrap(bytes, from, length);
        }
        if (chars.capacity() < in.remaining() + 1) {
            chars = CharBuffer.allocate(in.remaining() + 1);
        }
        chars.clear();
        int start = in.position();
        CoderResult r = decoder.decode(in, chars, last);
        if (r.isError() || (last && in.hasRemaining())) {
            long at = offset + in.position() - start;
            throw new InvalidTextException(source, "is not valid UTF-8 (bad byte sequence at offset " + at + ")", at);
        }
        if (last) {
            decoder.flush(chars);
        }
        offset += in.position() - start;
        pending = ByteBuffer.allocate(in.remaining());
        pending.put(in).flip();
        chars.flip();
        if (atTextStart && chars.hasRemaining()) {
            atTextStart = false;
            if (chars.get(chars.position()) == '\uFEFF') {
                chars.get(); // a byte-order mark is not text
            }
        }
        out.append(chars);
    }

    /** The absolute offset of the next byte not yet decoded (bytes held for a split sequence excluded). */
    public long offset() {
        return offset;
    }
}
