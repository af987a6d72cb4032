package dev.charlm.contract;

import java.util.ArrayList;
import java.util.List;

/** JSON arrays of strings (the vocabulary's form in model metadata), through {@link Json}. */
public final class JsonStrings {

    private JsonStrings() {}

    /** Encodes strings as a JSON array; control characters and non-ASCII become escapes. */
    public static String encode(List<String> values) {
        return Json.write(values);
    }

    /**
     * Decodes a JSON array of strings.
     *
     * @throws IllegalArgumentException naming the position of the first problem
     */
    public static List<String> decode(String json) {
        Object v = Json.parse(json, "JSON string array");
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException("invalid JSON string array: not an array");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new IllegalArgumentException("invalid JSON string array: element " + out.size() + " is not a string");
            }
            out.add(s);
        }
        return out;
    }
}
