package dev.charlm.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes what is not the novel from a Project Gutenberg text, the same way for every file: the
 * Gutenberg header and licence when present, the front matter (title page, preface, contents,
 * lists of illustrations) up to and including the heading of the first chapter, and {@code
 * [Illustration: ...]} captions anywhere (which may hold one level of brackets, as in
 * "[Illustration: ... [_Copyright 1894 by George Allen._]]").
 *
 * <p>The first chapter is the last line within the first fifth of the text (the first hundred
 * lines at least) that is a
 * first-chapter heading: "CHAPTER I", "Chapter 1.", "CHAPTER ONE" (with or without a title on
 * the line) or a bare "I" / "I." / "1". The last such line, because a table of contents lists
 * the same heading before the chapter itself. A text without one keeps its beginning.
 */
public final class FrontMatter {

    private static final Pattern START = Pattern.compile("^\\*{3}\\s*START OF (THE|THIS) PROJECT GUTENBERG.*",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern END = Pattern.compile("^\\*{3}\\s*END OF (THE|THIS) PROJECT GUTENBERG.*",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern FIRST_CHAPTER = Pattern.compile(
            "(?i:chapter)\\s+(I|1|ONE|One)\\b[.:]?(\\s.*)?|(I|1)\\.?");
    /** Lines searched for the first chapter at least, however short the text. */
    private static final int SEARCHED_LINES = 100;
    private static final Pattern ILLUSTRATION = Pattern.compile("\\[Illustration(?:[^\\[\\]]|\\[[^\\[\\]]*\\])*\\]");

    private FrontMatter() {}

    /** The text without Gutenberg's header and licence, front matter and illustration captions. */
    public static String strip(String text) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        int end = indexOf(lines, END, 0);
        if (end >= 0) {
            lines = new ArrayList<>(lines.subList(0, end));
        }
        int start = indexOf(lines, START, 0);
        if (start >= 0) {
            lines = new ArrayList<>(lines.subList(start + 1, lines.size()));
        }
        int heading = -1;
        for (int i = 0; i < Math.min(lines.size(), Math.max(lines.size() / 5, SEARCHED_LINES)); i++) {
            String t = lines.get(i).strip();
            if (t.endsWith("]")) {
                t = t.substring(0, t.length() - 1).strip(); // a heading that closes a caption
            }
            if (FIRST_CHAPTER.matcher(t).matches()) {
                heading = i;
            }
        }
        String body = String.join("\n", lines.subList(heading + 1, lines.size()));
        String stripped = ILLUSTRATION.matcher(body).replaceAll("");
        return text.endsWith("\n") && !stripped.endsWith("\n") ? stripped + "\n" : stripped;
    }

    private static int indexOf(List<String> lines, Pattern p, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (p.matcher(lines.get(i).strip()).matches()) {
                return i;
            }
        }
        return -1;
    }
}
