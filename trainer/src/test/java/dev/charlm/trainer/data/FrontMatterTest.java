package dev.charlm.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FrontMatterTest {

    @Test
    void gutenbergsHeaderAndLicenceGo() {
        String text = "The Project Gutenberg eBook of X\nlicence text\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n"
                + "It was a dark night.\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\nmore licence\n";
        assertEquals("It was a dark night.\n", FrontMatter.strip(text));
    }

    @Test
    void everythingUpToTheLastFirstChapterHeadingGoes() {
        String text = "Alice's Adventures\n\nContents\n\n CHAPTER I.     Down the Rabbit-Hole\n CHAPTER II.    Tears\n\n"
                + "CHAPTER I.\nDown the Rabbit-Hole\n\nAlice was beginning to get very tired.\n";
        assertEquals("Down the Rabbit-Hole\n\nAlice was beginning to get very tired.\n", FrontMatter.strip(text));
        assertEquals("\n\nThe Time Traveller spoke.\n", FrontMatter.strip("The Time Machine\n\n\n\nI\n\n\nThe Time Traveller spoke.\n"));
        assertEquals("It began.\n", FrontMatter.strip("Title\n\nCHAPTER ONE\nIt began.\n"));
    }

    @Test
    void illustrationCaptionsGoAlsoWithBracketsInside() {
        String text = "Chapter I.]\n\nIt is a truth.\n\n[Illustration:\n\n  \u201cHe came\u201d\n\n[_Copyright 1894._]]\n\nThis was enough.\n";
        assertEquals("\nIt is a truth.\n\n\n\nThis was enough.\n", FrontMatter.strip(text));
    }

    @Test
    void aTextWithoutAHeadingKeepsItsBeginning() {
        assertEquals("Just some text.\nMore.\n", FrontMatter.strip("Just some text.\nMore.\n"));
    }

    @Test
    void theLibrarysNovelsStartWithTheirStory() throws Exception {
        Path shared = Path.of(System.getProperty("charlm.shared.data"));
        assertTrue(FrontMatter.strip(Files.readString(shared.resolve("pride_and_prejudice.txt"))).strip()
                .startsWith("It is a truth universally acknowledged"));
        assertTrue(FrontMatter.strip(Files.readString(shared.resolve("library/melville_moby_dick.txt"))).strip()
                .startsWith("Call me Ishmael."));
        assertTrue(FrontMatter.strip(Files.readString(shared.resolve("timemachine.txt"))).strip()
                .startsWith("The Time Traveller (for so it will be convenient"));
    }
}
