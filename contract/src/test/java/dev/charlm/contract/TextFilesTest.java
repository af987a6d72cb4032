package dev.charlm.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFilesTest {

    @TempDir Path dir;

    @Test
    void readsUtf8AndDropsByteOrderMark() throws Exception {
        Path f = dir.resolve("a.txt");
        Files.write(f, "\uFEFFcafé".getBytes(StandardCharsets.UTF_8));
        assertEquals("café", TextFiles.readUtf8(f));
    }

    @Test
    void refusesMissingEmptyBinaryAndInvalidUtf8() throws Exception {
        Path missing = dir.resolve("missing.txt");
        assertEquals(missing + ": no such file",
                assertThrows(InvalidTextException.class, () -> TextFiles.readUtf8(missing)).getMessage());

        Path empty = Files.createFile(dir.resolve("empty.txt"));
        assertEquals(empty + ": file is empty",
                assertThrows(InvalidTextException.class, () -> TextFiles.readUtf8(empty)).getMessage());

        Path binary = Files.write(dir.resolve("bin.txt"), new byte[] {'a', 0, 1, 2});
        assertEquals(binary + ": looks binary (NUL byte at offset 1), expected UTF-8 text",
                assertThrows(InvalidTextException.class, () -> TextFiles.readUtf8(binary)).getMessage());

        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, ' '});
        assertEquals(latin1 + ": is not valid UTF-8 (bad byte sequence at offset 3)",
                assertThrows(InvalidTextException.class, () -> TextFiles.readUtf8(latin1)).getMessage());
    }

    @Test
    void expandsDirectoriesToSortedTxtFiles() throws Exception {
        Files.writeString(dir.resolve("b.txt"), "b");
        Files.writeString(dir.resolve("a.txt"), "a");
        Files.writeString(dir.resolve("notes.md"), "c");
        assertEquals(List.of(dir.resolve("a.txt"), dir.resolve("b.txt")), TextFiles.expand(dir));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(InvalidTextException.class, () -> TextFiles.expand(empty));
    }
}
