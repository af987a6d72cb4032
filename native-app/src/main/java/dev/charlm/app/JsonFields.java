package dev.charlm.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a request's JSON fields are read, one rule each: an integer is a JSON number with no
 * fractional part within the field's range (5 and 5.0 are the integer five, as JSON Schema has
 * it; 1.5 and 1e999 are refused, never rounded or clamped); a number is finite; unknown fields
 * are refused. Messages name the field as the client sent it.
 */
final class JsonFields {

    private JsonFields() {}

    /** Refuses a field not in {@code known}. */
    static void onlyKnown(JsonNode object, Set<String> known) {
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!known.contains(f)) {
                throw ApiError.field(f, "unknown field '" + f + "' (known: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    /** An integer field in [min, max], or {@code fallback} when absent or null. */
    static Long integer(JsonNode object, String field, long min, long max, Long fallback) {
        JsonNode n = object.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw ApiError.field(field, "field '" + field + "' must be an integer");
        }
        BigDecimal v = n.decimalValue();
        if (v.signum() != 0 && v.stripTrailingZeros().scale() > 0) {
            throw ApiError.field(field, "field '" + field + "' must be an integer, got " + n.asText());
        }
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw ApiError.field(field, "field '" + field + "' must be in [" + min + ", " + max + "], got " + n.asText());
        }
        return v.longValueExact();
    }

    /** An int field in [min, max], or {@code fallback} when absent or null. */
    static int intField(JsonNode object, String field, int min, int max, int fallback) {
        return integer(object, field, min, max, (long) fallback).intValue();
    }

    /** A finite number field, or {@code fallback} when absent or null. */
    static double number(JsonNode object, String field, double fallback) {
        JsonNode n = object.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw ApiError.field(field, "field '" + field + "' must be a number");
        }
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
            throw ApiError.field(field, "field '" + field + "' must be a finite number, got " + n.asText());
        }
        return d;
    }
}
