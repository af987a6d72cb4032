package dev.charlm.contract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A character vocabulary: id 0 is {@link ModelContract#UNK_TOKEN}, then one token per Unicode
 * code point. Built as d2l's {@code Vocab}: tokens ordered by frequency in the training text,
 * most frequent first, ties in order of first appearance. Immutable and thread-safe.
 */
public final class Vocabulary {

    private final List<String> tokens;
    private final Map<Integer, Integer> idByCodePoint;

    private Vocabulary(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        if (this.tokens.isEmpty() || !ModelContract.UNK_TOKEN.equals(this.tokens.get(0))) {
            throw new IllegalArgumentException(
                    "vocabulary must start with " + ModelContract.UNK_TOKEN + ", found " + tokens);
        }
        Map<Integer, Integer> ids = new HashMap<>();
        for (int id = 1; id < this.tokens.size(); id++) {
            String t = this.tokens.get(id);
            if (t.codePointCount(0, t.length()) != 1) {
                throw new IllegalArgumentException(
                        "vocabulary token " + id + " is not one character: '" + t + "'");
            }
            if (ids.put(t.codePointAt(0), id) != null) {
                throw new IllegalArgumentException(
                        "vocabulary token '" + t + "' appears twice");
            }
        }
        this.idByCodePoint = ids;
    }

    /**
     * Restores a vocabulary from its tokens in id order, as stored in a checkpoint or model.
     *
     * @throws IllegalArgumentException if id 0 is not {@code <unk>}, a token is not one
     *     character, or a token repeats
     */
    public static Vocabulary of(List<String> tokensInIdOrder) {
        return new Vocabulary(tokensInIdOrder);
    }

    /**
     * Builds the vocabulary of a preprocessed training text. For {@link Preprocessing#D2L} all
     * 27 symbols of its alphabet are present (those absent from the text come last), so every
     * d2l model has the same 28 tokens.
     */
    public static Vocabulary build(CharSequence preprocessedText, Preprocessing preprocessing) {
        Map<Integer, int[]> counts = new LinkedHashMap<>();
        preprocessedText
                .codePoints()
                .forEach(cp -> counts.computeIfAbsent(cp, k -> new int[1])[0]++);
        if (preprocessing == Preprocessing.D2L) {
            Preprocessing.d2lAlphabet()
                    .codePoints()
                    .forEach(cp -> counts.computeIfAbsent(cp, k -> new int[1]));
        }
        List<Map.Entry<Integer, int[]>> entries = new ArrayList<>(counts.entrySet());
        // List.sort is stable: equal counts keep first-appearance order, as Counter does.
        entries.sort((a, b) -> Integer.compare(b.getValue()[0], a.getValue()[0]));
        List<String> tokens = new ArrayList<>(entries.size() + 1);
        tokens.add(ModelContract.UNK_TOKEN);
        for (Map.Entry<Integer, int[]> e : entries) {
            tokens.add(new String(Character.toChars(e.getKey())));
        }
        return new Vocabulary(tokens);
    }

    /** Number of tokens, {@code <unk>} included. */
    public int size() {
        return tokens.size();
    }

    /** The tokens in id order; element 0 is {@code <unk>}. */
    public List<String> tokens() {
        return Collections.unmodifiableList(tokens);
    }

    /** The token with this id. */
    public String token(int id) {
        return tokens.get(id);
    }

    /** The id of a code point, or {@link ModelContract#UNK_ID} when it is not in the vocabulary. */
    public int idOf(int codePoint) {
        Integer id = idByCodePoint.get(codePoint);
        return id == null ? ModelContract.UNK_ID : id;
    }

    /** Whether the code point has a token of its own. */
    public boolean contains(int codePoint) {
        return idByCodePoint.containsKey(codePoint);
    }

    /** Maps every code point of a preprocessed text to its id. */
    public int[] encode(CharSequence preprocessedText) {
        return preprocessedText.codePoints().map(this::idOf).toArray();
    }

    /** The text of a sequence of ids; {@code <unk>} is written as itself. */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            sb.append(tokens.get(id));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary && ((Vocabulary) o).tokens.equals(tokens);
    }

    @Override
    public int hashCode() {
        return tokens.hashCode();
    }

    @Override
    public String toString() {
        return "Vocabulary" + Arrays.toString(tokens.toArray());
    }
}
