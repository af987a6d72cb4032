package dev.charlm.trainer.data;

import dev.charlm.contract.InvalidTextException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The twelve public-domain novels behind {@code --data library} (four by H. G. Wells), and the 21
 * further ones behind {@code --data more}, as manifests in the manner of d2l's {@code DATA_HUB}:
 * path, author, title, size, SHA-256 and a URL that serves exactly those bytes. {@link TextStore}
 * finds each in the shared data folder, the cache, or by a checked download. Their Project
 * Gutenberg front matter is stripped when they are read ({@link FrontMatter}).
 */
public final class Library {

    /** The name that stands for the library on the command line. */
    public static final String NAME = "library";
    /** The name that stands for the further novels on the command line. */
    public static final String MORE = "more";
    /** The author whose texts the chapter is about. */
    public static final String WELLS = "Wells";

    /**
     * One text of the manifest.
     *
     * @param path its place below the shared data folder and the cache
     * @param author the author's surname
     * @param title the title
     * @param bytes its size
     * @param sha256 hex SHA-256 of its bytes
     * @param url where it can be downloaded
     */
    public record Text(String path, String author, String title, long bytes, String sha256, URI url) {
        TextStore.Entry entry() {
            return new TextStore.Entry(path, title, "SHA-256", sha256, "the manifest's", url);
        }

        /** The file name, e.g. {@code timemachine.txt}. */
        public String fileName() {
            return Path.of(path).getFileName().toString();
        }
    }

    private static final List<Text> TEXTS = read("library.tsv");
    private static final List<Text> MORE_TEXTS = read("more.tsv");

    private Library() {}

    /** Every text of the manifest, in its order (The Time Machine first). */
    public static List<Text> texts() {
        return TEXTS;
    }

    /** The further novels ({@code --data more}), shortest first; none of them is in {@link #texts()}. */
    public static List<Text> more() {
        return MORE_TEXTS;
    }

    /** The texts a command-line name stands for ({@link #NAME} or {@link #MORE}), if it is one. */
    public static Optional<List<Text>> named(String name) {
        return switch (name) {
            case NAME -> Optional.of(TEXTS);
            case MORE -> Optional.of(MORE_TEXTS);
            default -> Optional.empty();
        };
    }

    /** {@code texts}, resolved to verified local copies. */
    public static List<Path> resolve(TextStore store, List<Text> texts) throws InvalidTextException {
        List<Path> paths = new ArrayList<>();
        for (Text t : texts) {
            paths.add(store.resolve(t.entry()));
        }
        return paths;
    }

    /** The texts that pass {@code filter}, resolved to verified local copies. */
    public static List<Path> resolve(TextStore store, Predicate<Text> filter) throws InvalidTextException {
        List<Path> paths = new ArrayList<>();
        for (Text t : TEXTS) {
            if (filter.test(t)) {
                paths.add(store.resolve(t.entry()));
            }
        }
        return paths;
    }

    /** All texts, resolved to verified local copies. */
    public static List<Path> resolveAll(TextStore store) throws InvalidTextException {
        return resolve(store, t -> true);
    }

    private static List<Text> read(String manifest) {
        List<Text> texts = new ArrayList<>();
        try (InputStream in = Library.class.getResourceAsStream(manifest);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null;) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length != 6) {
                    throw new IllegalStateException(manifest + ": expected 6 tab-separated fields: " + line);
                }
                texts.add(new Text(f[0], f[1], f[2], Long.parseLong(f[3]), f[4], URI.create(f[5])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(texts);
    }
}
