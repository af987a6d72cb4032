package dev.charlm.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonStringsTest {

    @Test
    void roundTripsAwkwardTokens() {
        List<String> tokens = List.of("<unk>", " ", "\"", "\\", "\n", "\t", "é", "😀", "/", "");
        String json = JsonStrings.encode(tokens);
        assertEquals(tokens, JsonStrings.decode(json));
        assertEquals("[\"<unk>\",\" \",\"\\\"\"]", JsonStrings.encode(List.of("<unk>", " ", "\"")));
    }

    @Test
    void acceptsWhitespaceAndEmptyArrays() {
        assertEquals(List.of(), JsonStrings.decode(" [ ] "));
        assertEquals(List.of("a", "b"), JsonStrings.decode("[ \"a\" ,\n \"b\" ]"));
    }

    @Test
    void namesTheOffsetOfBadInput() {
        assertEquals("invalid JSON string array at offset 6: expected ',' or ']'",
                assertThrows(IllegalArgumentException.class, () -> JsonStrings.decode("[\"a\" \"b\"]")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> JsonStrings.decode("[\"a\""));
        assertThrows(IllegalArgumentException.class, () -> JsonStrings.decode("{}"));
    }
}
