package dev.charlm.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one rule for what a path argument means. */
class InputPathsTest {

    @TempDir Path dir;

    @Test
    void aDirectoryIsItsTextFilesOnceEachWhateverItsLinks() throws Exception {
        Path books = Files.createDirectories(dir.resolve("books"));
        Path sub = Files.createDirectories(books.resolve("sub"));
        Files.writeString(books.resolve("a.txt"), "a");
        Files.writeString(sub.resolve("b.txt"), "b");
        Files.writeString(books.resolve("notes.md"), "not text");
        Files.createSymbolicLink(books.resolve("loop"), books); // followed, it would repeat every file forever
        Files.createSymbolicLink(books.resolve("c.txt"), sub.resolve("b.txt")); // a link to a file is a file
        assertEquals(List.of(books.resolve("a.txt"), books.resolve("c.txt"), sub.resolve("b.txt")),
                InputPaths.expand(books.toString()));
    }

    @Test
    void patternsIncludeBraces() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "a");
        Files.writeString(dir.resolve("b.txt"), "b");
        Files.writeString(dir.resolve("c.txt"), "c");
        assertEquals(List.of(dir.resolve("a.txt"), dir.resolve("c.txt")), InputPaths.expand(dir + "/{a,c}.txt"));
        assertEquals(List.of(dir.resolve("a.txt"), dir.resolve("b.txt"), dir.resolve("c.txt")),
                InputPaths.expand(dir + "/*.txt"));
        // A file whose name looks like a pattern is itself.
        Path odd = Files.writeString(dir.resolve("{x}.txt"), "x");
        assertEquals(List.of(odd), InputPaths.expand(odd.toString()));
    }

    @Test
    void nothingToScoreIsOneClearLine() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(empty + ": directory holds no .txt files",
                assertThrows(InvalidTextException.class, () -> InputPaths.expand(empty.toString())).getMessage());
        assertEquals(dir + "/*.csv: matches no files",
                assertThrows(InvalidTextException.class, () -> InputPaths.expand(dir + "/*.csv")).getMessage());
    }

    @Test
    void brokenLinksSayHowTheyAreBroken() throws Exception {
        Path loop = Files.createSymbolicLink(dir.resolve("self.txt"), dir.resolve("self.txt"));
        Path dangling = Files.createSymbolicLink(dir.resolve("gone.txt"), dir.resolve("nothing-here.txt"));
        assertEquals(loop + ": no such file (a symbolic link loop)",
                assertThrows(InvalidTextException.class, () -> TextFiles.checkReadable(loop)).getMessage());
        assertEquals(dangling + ": no such file (a link to nothing)",
                assertThrows(InvalidTextException.class, () -> TextFiles.checkReadable(dangling)).getMessage());
    }
}
