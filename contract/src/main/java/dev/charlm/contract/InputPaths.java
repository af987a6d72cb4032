package dev.charlm.contract;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a path argument means, the same for every command ({@code score}, {@code train}, {@code
 * spark-score} on local paths): a file is itself; a directory means its {@code .txt} files,
 * recursively, sorted, without following links to directories (so a link loop cannot repeat a
 * file; a link to a file is a file); an argument that names nothing and has {@code *}, {@code
 * ?}, {@code [} or {@code {} in it is a pattern, meaning the matching entries of its directory,
 * sorted ({@code 'books/*.txt'}, {@code 'books/{a,b}.txt'}, quoted so the shell leaves it alone).
 * A path that exists is taken as it is, even with such characters in its name.
 */
public final class InputPaths {

    private InputPaths() {}

    /** Whether {@code arg} is a glob pattern rather than a path. */
    public static boolean isGlob(String arg) {
        return arg.contains("*") || arg.contains("?") || arg.contains("[") || arg.contains("{");
    }

    /**
     * The files {@code arg} stands for. Missing or unreadable files are returned as they are,
     * for the reader to name them; a directory without .txt files or a pattern that matches
     * nothing is refused.
     */
    public static List<Path> expand(String arg) throws InvalidTextException {
        if (isGlob(arg) && !Files.exists(Path.of(arg), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            int slash = arg.lastIndexOf('/');
            Path base = slash < 0 ? Path.of(".") : Path.of(arg.substring(0, slash + 1));
            PathMatcher m;
            try {
                m = FileSystems.getDefault().getPathMatcher("glob:" + arg.substring(slash + 1));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new InvalidTextException(arg, "is neither a file nor a valid pattern (" + e.getDescription() + ")");
            }
            if (!Files.isDirectory(base)) {
                throw new InvalidTextException(arg, "no such directory " + base);
            }
            List<Path> matches;
            try (Stream<Path> s = Files.list(base)) {
                matches = s.filter(p -> m.matches(p.getFileName())).sorted().toList();
            } catch (IOException e) {
                throw new InvalidTextException(arg, "cannot list directory " + base + ": " + e.getMessage());
            }
            if (matches.isEmpty()) {
                throw new InvalidTextException(arg, "matches no files");
            }
            return matches.stream().map(p -> slash < 0 ? p.getFileName() : p).toList();
        }
        return expand(Path.of(arg));
    }

    /** The files {@code path} stands for: itself, or a directory's .txt files, recursively. */
    public static List<Path> expand(Path path) throws InvalidTextException {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        List<Path> txt;
        try (Stream<Path> s = Files.walk(path)) { // links to directories are not followed
            // Not isRegularFile: an unreadable entry (a dangling link, a pipe) must be reported, not skipped.
            txt = s.filter(f -> f.getFileName().toString().endsWith(".txt") && !Files.isDirectory(f))
                    .sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new InvalidTextException(path, "cannot list directory: " + e.getMessage());
        }
        if (txt.isEmpty()) {
            throw new InvalidTextException(path, "directory holds no .txt files");
        }
        return txt;
    }
}
