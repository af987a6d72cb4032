package dev.charlm.sdk.internal;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Token ids of a text read from a stream in fixed-size blocks, in constant memory: strict UTF-8
 * (a bad sequence or a NUL byte is an error naming the offset, never skipped), then the model's
 * preprocessing, then the vocabulary, counting characters outside it. Not thread-safe.
 */
public final class TokenReader {

    private static final int BLOCK = 1 << 16;

    private final InputStream in;
    private final String name;
    private final Preprocessing.Normalizer normalizer;
    private final Vocabulary vocab;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(BLOCK);
    private final CharBuffer chars = CharBuffer.allocate(BLOCK);
    private final StringBuilder normalized = new StringBuilder(BLOCK);
    private int cursor;
    private long bytesRead;
    private long characters;
    private long unknown;
    private boolean eof;
    private boolean finished;
    private boolean bomChecked;

    public TokenReader(InputStream in, String name, Preprocessing preprocessing, Vocabulary vocab) {
        this.in = in;
        this.name = name;
        this.normalizer = preprocessing.newNormalizer();
        this.vocab = vocab;
        bytes.flip();
    }

    /** The next token id, or -1 at the end of the text. */
    public int next() throws IOException {
        while (true) {
            if (cursor < normalized.length()) {
                char ch = normalized.charAt(cursor);
                int cp = ch;
                if (Character.isHighSurrogate(ch)) {
                    if (cursor + 1 >= normalized.length() && !finished) {
                        refill(); // the low half is in the next block
                        continue;
                    }
                    cp = normalized.codePointAt(cursor);
                }
                cursor += Character.charCount(cp);
                characters++;
                if (!vocab.contains(cp)) {
                    unknown++;
                }
                return vocab.idOf(cp);
            }
            if (finished) {
                return -1;
            }
            refill();
        }
    }

    /** Preprocessed characters returned so far. */
    public long characters() {
        return characters;
    }

    /** Of those, characters outside the vocabulary (read as {@code <unk>}). */
    public long unknownCharacters() {
        return unknown;
    }

    /** Bytes read from the stream so far. */
    public long bytesRead() {
        return bytesRead;
    }

    private void refill() throws IOException {
        normalized.delete(0, cursor);
        cursor = 0;
        if (!eof) {
            bytes.compact(); // unread bytes (a split sequence) move to the front
            int pos = bytes.position();
            int n = in.read(bytes.array(), pos, bytes.remaining());
            if (n < 0) {
                eof = true;
            } else {
                for (int i = pos; i < pos + n; i++) {
                    if (bytes.array()[i] == 0) {
                        throw new InvalidTextException(name, "looks binary (NUL byte at offset "
                                + (bytesRead + i - pos) + "), expected UTF-8 text");
                    }
                }
                bytes.position(pos + n);
                bytesRead += n;
            }
            bytes.flip();
            if (eof && bytesRead == 0) {
                throw new InvalidTextException(name, "file is empty");
            }
        }
        long offsetOfBuffer = bytesRead - bytes.limit();
        CoderResult r = decoder.decode(bytes, chars, eof);
        if (r.isError()) {
            throw new InvalidTextException(name, "is not valid UTF-8 (bad byte sequence at offset "
                    + (offsetOfBuffer + bytes.position()) + ")");
        }
        if (eof && !bytes.hasRemaining()) {
            decoder.flush(chars);
        }
        chars.flip();
        if (!bomChecked && chars.hasRemaining()) {
            bomChecked = true;
            if (chars.get(chars.position()) == '\uFEFF') {
                chars.get(); // a byte-order mark is not text
            }
        }
        normalizer.accept(chars, normalized);
        chars.clear();
        if (eof && !bytes.hasRemaining()) {
            normalizer.finish(normalized);
            finished = true;
        }
    }
}
