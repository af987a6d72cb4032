package dev.charlm.trainer.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Command-line names of enum constants: the constant's name in lowercase. */
public final class EnumIds {

    private EnumIds() {}

    /** The lowercase name of a constant ({@code LSTM} is {@code lstm}). */
    public static String id(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The constant whose {@link #id} is {@code id}.
     *
     * @param what names the setting in the message, e.g. "cell"
     * @throws IllegalArgumentException "unknown cell 'x' (expected lstm, gru or rnn)"
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String id, String what) {
        List<String> ids = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            if (id(e).equals(id)) {
                return e;
            }
            ids.add(id(e));
        }
        String expected = ids.size() == 1 ? ids.get(0)
                : String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.get(ids.size() - 1);
        throw new IllegalArgumentException("unknown " + what + " '" + id + "' (expected " + expected + ")");
    }
}
