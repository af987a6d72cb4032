package dev.charlm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The commands README and docs show still work as written: every {@code ./charlm ...} line of
 * their {@code sh} blocks is run through the launcher with {@code CHARLM_CHECK_ARGS=1}, so each
 * command parses its arguments against its own options and stops (no training, no server);
 * the launcher's own commands (demo, bench ...) must be ones it lists in its help.
 */
class DocsIT {

    static final Path ROOT = Path.of(System.getProperty("charlm.root", "..")).toAbsolutePath().normalize();

    /** Every ./charlm command in the sh blocks of README.md and docs/*.md. */
    static List<String> commands() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<String> commands = new ArrayList<>();
        for (Path page : pages) {
            boolean inSh = false;
            StringBuilder line = new StringBuilder();
            for (String l : Files.readAllLines(page, StandardCharsets.UTF_8)) {
                if (l.startsWith("```")) {
                    inSh = l.equals("```sh");
                    continue;
                }
                if (!inSh) {
                    continue;
                }
                line.append(l.strip());
                if (l.endsWith("\\")) {
                    line.setLength(line.length() - 1);
                    line.append(' ');
                    continue;
                }
                String c = line.toString();
                line.setLength(0);
                if (c.startsWith("./charlm")) {
                    commands.add(c);
                }
            }
        }
        return commands;
    }

    /** Shell words: quotes kept together, a trailing comment and anything after a pipe dropped. */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char ch = command.charAt(i);
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    w.append(ch);
                }
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
            } else if (ch == '#' && w.length() == 0 || ch == '|' && w.length() == 0) {
                break;
            } else if (Character.isWhitespace(ch)) {
                if (w.length() > 0) {
                    words.add(w.toString());
                    w.setLength(0);
                }
            } else {
                w.append(ch);
            }
        }
        if (w.length() > 0) {
            words.add(w.toString());
        }
        return words;
    }

    @Test
    void everyDocumentedCommandParses() throws Exception {
        List<String> commands = commands();
        assertTrue(commands.size() > 20, "found only " + commands);
        String help = run(List.of("./charlm", "help"), false).out();
        List<String> failures = new ArrayList<>();
        for (String c : commands) {
            List<String> w = words(c);
            String sub = w.size() > 1 ? w.get(1) : "help";
            if (sub.equals("demo") || sub.equals("help")) {
                if (!help.contains("  " + sub + " ")) {
                    failures.add(c + ": the launcher does not list " + sub);
                }
                continue;
            }
            if (sub.equals("bench")) {
                if (w.size() > 2 && !help.contains("'bench " + w.get(2))) {
                    failures.add(c + ": the launcher does not list bench " + w.get(2));
                }
                continue;
            }
            Result r = run(w, true);
            if (r.status() != 0 || !r.err().isBlank()) {
                failures.add(c + "\n    exit " + r.status() + ": " + r.err().strip());
            }
        }
        assertEquals(List.of(), failures);
    }

    /** Every command's --help formats cleanly: a lone '%' in a description makes picocli print a warning instead. */
    @Test
    void everyCommandsHelpFormatsWithoutWarnings() throws Exception {
        List<String> failures = new ArrayList<>();
        for (List<String> c : List.of(List.of("train"), List.of("study", "ngram"), List.of("study", "scaling"),
                List.of("export"), List.of("quantize"), List.of("evaluate"), List.of("generate"), List.of("score"),
                List.of("serve"), List.of("spark-score"))) {
            List<String> command = new ArrayList<>(List.of("./charlm"));
            command.addAll(c);
            command.add("--help");
            Result r = run(command, false);
            if (r.status() != 0 || r.err().contains("WARN") || !r.out().startsWith("Usage: charlm ")) {
                failures.add(c + ": exit " + r.status() + ", " + r.err().strip());
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void aBadOptionInADocumentedCommandWouldBeCaught() throws Exception {
        Result r = run(List.of("./charlm", "score", "--segmnet", "5", "a.txt"), true);
        assertEquals(2, r.status());
        assertTrue(r.err().contains("Unknown option: '--segmnet'"), r.err());
        assertFalse(words("./charlm score 'a b.txt' | head -1  # comment").contains("head"));
        assertEquals(List.of("./charlm", "score", "a b.txt"), words("./charlm score 'a b.txt' | head -1"));
    }

    record Result(int status, String out, String err) {}

    static Result run(List<String> command, boolean checkOnly) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        if (checkOnly) {
            pb.environment().put("CHARLM_CHECK_ARGS", "1");
        }
        Path out = Files.createTempFile("docs-it", ".out");
        Path err = Files.createTempFile("docs-it", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }
}
