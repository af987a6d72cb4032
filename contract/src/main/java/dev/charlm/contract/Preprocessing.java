package dev.charlm.contract;

/**
 * How raw text becomes the character stream a model sees.
 *
 * <ul>
 *   <li>{@link #D2L}: d2l's {@code re.sub('[^A-Za-z]+', ' ', line).strip().lower()} per line,
 *       empty lines dropped, lines joined by one space. Equivalently: every run of non-letters
 *       (newlines included) becomes one space, with none at either end. The alphabet is the 26
 *       lowercase letters and the space.
 *   <li>{@link #RAW}: every character is kept as it is.
 * </ul>
 *
 * <p>Both are streaming transducers ({@link #newNormalizer()}), so text split into chunks
 * anywhere gives the same characters as the whole text at once.
 */
public enum Preprocessing {
    D2L("d2l"),
    RAW("raw");

    private final String id;

    Preprocessing(String id) {
        this.id = id;
    }

    /** The name used on the command line and in model files ({@code d2l}, {@code raw}). */
    public String id() {
        return id;
    }

    /**
     * Looks a mode up by its {@link #id()}.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Preprocessing fromId(String id) {
        for (Preprocessing p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown preprocessing '" + id + "' (expected d2l or raw)");
    }

    /** Applies this preprocessing to a whole text. */
    public String apply(CharSequence text) {
        Normalizer n = newNormalizer();
        StringBuilder out = new StringBuilder(text.length());
        n.accept(text, out);
        n.finish(out);
        return out.toString();
    }

    /** A fresh stateful normalizer for text that arrives in pieces. */
    public Normalizer newNormalizer() {
        return this == D2L ? new D2lNormalizer() : new RawNormalizer();
    }

    /**
     * Whether a character whose UTF-8 encoding starts with byte {@code b} comes out of this
     * preprocessing as itself: for {@link #D2L} the ASCII letters, for {@link #RAW} every
     * character. A cut in a text must keep at least one such character before it, so that the
     * first character after the cut has something to be predicted from.
     */
    public boolean keepsCharacterStartingWith(byte b) {
        if (this == D2L) {
            return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
        }
        return (b & 0xC0) != 0x80; // any character's first byte
    }

    /** For {@link #D2L}: the 27 characters it can emit, letters then space. */
    static String d2lAlphabet() {
        return "abcdefghijklmnopqrstuvwxyz ";
    }

    /**
     * A streaming form of a preprocessing: feed pieces with {@link #accept}, then call {@link
     * #finish} once. The concatenated output equals {@link Preprocessing#apply} on the whole.
     */
    public interface Normalizer {
        /** Appends to {@code out} what {@code piece} produces given everything fed before. */
        void accept(CharSequence piece, StringBuilder out);

        /** Appends what is still pending at the end of the text. */
        void finish(StringBuilder out);
    }

    private static final class D2lNormalizer implements Normalizer {
        private boolean emittedAny;
        private boolean pendingSpace;

        @Override
        public void accept(CharSequence piece, StringBuilder out) {
            for (int i = 0; i < piece.length(); i++) {
                char c = piece.charAt(i);
                boolean upper = c >= 'A' && c <= 'Z';
                if (upper || (c >= 'a' && c <= 'z')) {
                    if (pendingSpace) {
                        out.append(' ');
                        pendingSpace = false;
                    }
                    out.append(upper ? (char) (c + ('a' - 'A')) : c);
                    emittedAny = true;
                } else if (emittedAny) {
                    // A space is only written once a letter follows, so none trails the text.
                    pendingSpace = true;
                }
            }
        }

        @Override
        public void finish(StringBuilder out) {
            pendingSpace = false;
        }
    }

    private static final class RawNormalizer implements Normalizer {
        @Override
        public void accept(CharSequence piece, StringBuilder out) {
            out.append(piece);
        }

        @Override
        public void finish(StringBuilder out) {}
    }

    @Override
    public String toString() {
        return id;
    }
}
