package dev.charlm.sdk.internal;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.Preprocessing;
import dev.charlm.contract.StrictUtf8Decoder;
import dev.charlm.contract.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.OptionalInt;

/**
 * Token ids of a stretch of a text, read in fixed-size blocks in constant memory: strict UTF-8
 * ({@link StrictUtf8Decoder}: a bad sequence or a NUL byte is an error naming its offset), then
 * the model's preprocessing, then the vocabulary. The bytes before {@code ownedFrom} are a
 * warm-up: their characters are returned (as model inputs) but not counted; characters the
 * bytes from {@code ownedFrom} on produce are the stretch's own, counted in {@link
 * #characters()} and {@link #unknownCharacters()}. Not thread-safe.
 */
public final class TokenReader implements java.io.Closeable {

    private static final int BLOCK = 1 << 16;

    private final ReadableByteChannel in;
    private final String name;
    private final long ownedFrom;
    private final long limit;
    private final boolean endsText;
    private final Preprocessing.Normalizer normalizer;
    private final Vocabulary vocab;
    private final StrictUtf8Decoder decoder;
    private final ByteBuffer bytes;
    private final StringBuilder decoded;
    private final StringBuilder normalized;
    private int cursor;
    /** Where in {@code normalized} the owned characters begin; MAX_VALUE while in the warm-up. */
    private int ownedAt;
    private long position;
    private long characters;
    private long unknown;
    private boolean lastOwned;
    private boolean finished;
    private boolean endChecked;

    /** A whole stream, read from its start; every character is owned. */
    public TokenReader(InputStream in, String name, Preprocessing preprocessing, Vocabulary vocab) {
        this(Channels.newChannel(in), name, preprocessing, vocab, 0, 0, Long.MAX_VALUE, true);
    }

    /**
     * @param in the text's bytes from {@code position} on
     * @param position the offset in the text of the channel's first byte
     * @param ownedFrom the offset where the owned characters begin ({@code >= position})
     * @param limit the offset to stop at ({@code Long.MAX_VALUE}: the end of the channel); a
     *     channel that ends before it means the text changed while it was read
     * @param endsText whether {@code limit} is where the whole text was planned to end: bytes
     *     past it then mean the text grew while it was read, which is as wrong as shrinking
     */
    public TokenReader(ReadableByteChannel in, String name, Preprocessing preprocessing, Vocabulary vocab,
            long position, long ownedFrom, long limit, boolean endsText) {
        this.in = in;
        this.endsText = endsText && limit != Long.MAX_VALUE;
        this.name = name;
        this.normalizer = preprocessing.newNormalizer();
        this.vocab = vocab;
        this.position = position;
        this.ownedFrom = ownedFrom;
        this.limit = limit;
        this.decoder = new StrictUtf8Decoder(name, position);
        this.ownedAt = position < ownedFrom ? Integer.MAX_VALUE : 0;
        // A short stretch (a small file, a segment) gets buffers of its size, not a whole block.
        int block = (int) Math.max(1, Math.min(BLOCK, limit - position));
        this.bytes = ByteBuffer.allocate(block);
        this.decoded = new StringBuilder(block);
        this.normalized = new StringBuilder(block);
    }

    /** The next token id, or -1 at the end of the stretch. */
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
                lastOwned = cursor >= ownedAt;
                cursor += Character.charCount(cp);
                if (lastOwned) {
                    characters++;
                    if (!vocab.contains(cp)) {
                        unknown++;
                    }
                }
                return vocab.idOf(cp);
            }
            if (finished) {
                checkEnd();
                return -1;
            }
            refill();
        }
    }

    /**
     * How many tokens {@link #next()} has left, when the stretch ends within about {@code max}
     * more characters; empty when it goes on longer. Reads ahead as far as that takes.
     */
    public OptionalInt remainingWithin(int max) throws IOException {
        while (true) {
            if (finished) {
                int left = Character.codePointCount(normalized, cursor, normalized.length());
                if (left == 0) {
                    checkEnd();
                }
                return left <= max ? OptionalInt.of(left) : OptionalInt.empty();
            }
            if (normalized.length() - cursor > max) {
                return OptionalInt.empty();
            }
            refill();
        }
    }

    /** Whether the token {@link #next()} returned last is one of the stretch's own. */
    public boolean lastOwned() {
        return lastOwned;
    }

    /** Owned characters returned so far. */
    public long characters() {
        return characters;
    }

    /** Of those, characters outside the vocabulary (read as {@code <unk>}). */
    public long unknownCharacters() {
        return unknown;
    }

    private void refill() throws IOException {
        normalized.delete(0, cursor);
        if (ownedAt != Integer.MAX_VALUE) {
            ownedAt = Math.max(0, ownedAt - cursor);
        }
        cursor = 0;
        // A block never spans ownedFrom, so what the warm-up produces stays apart from the rest.
        boolean warmup = position < ownedFrom;
        long stop = warmup ? ownedFrom : limit;
        bytes.clear();
        bytes.limit((int) Math.min(bytes.capacity(), stop - position));
        int n = bytes.limit() == 0 ? -1 : in.read(bytes);
        if (n == 0) {
            return; // nothing this time; read again
        }
        boolean end = false;
        if (n < 0) {
            if (warmup || (limit != Long.MAX_VALUE && position < limit)) {
                throw new InvalidTextException(name, "changed while it was being read (it now ends at byte "
                        + position + ", " + (warmup ? ownedFrom : limit) + " bytes were planned)", position);
            }
            if (position == 0) {
                throw new InvalidTextException(name, "file is empty");
            }
            end = true;
            n = 0;
        } else {
            position += n;
            end = !warmup && position >= limit;
        }
        decoded.setLength(0);
        decoder.decode(bytes.array(), 0, n, end, decoded);
        int before = normalized.length();
        normalizer.accept(decoded, normalized);
        if (end) {
            normalizer.finish(normalized);
            finished = true;
        }
        if (!warmup && ownedAt == Integer.MAX_VALUE) {
            ownedAt = before; // the first block of the stretch's own bytes
        }
    }

    /**
     * Once the stretch is used up: if it was to end the text, bytes past its end mean the text
     * grew while it was read (a log being written, say), which is as wrong as shrinking.
     */
    private void checkEnd() throws IOException {
        if (endChecked || !endsText) {
            return;
        }
        endChecked = true;
        if (in.read(ByteBuffer.allocate(1)) > 0) {
            throw new InvalidTextException(name, "changed while it was being read (it grew past the " + limit
                    + " bytes planned)", limit);
        }
    }

    /** Closes the channel. */
    @Override
    public void close() throws IOException {
        in.close();
    }
}
