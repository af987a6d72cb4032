package dev.charlm.trainer.data;

import dev.charlm.contract.AtomicFiles;
import dev.charlm.contract.InvalidTextException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a known text as d2l's {@code download} does: the project's shared data folder, else a
 * cache folder, else a download checked against the text's digest and kept in the cache. A copy
 * is used only if its digest matches.
 */
public final class TextStore {

    /**
     * A text the store can find.
     *
     * @param path where it lives below the shared folder and the cache, e.g. {@code library/x.txt}
     * @param title how messages name it
     * @param algorithm digest algorithm ({@code SHA-1}, {@code SHA-256})
     * @param digest the expected hex digest
     * @param digestOwner whose digest it is, for messages ("d2l's")
     * @param url where to download it
     */
    public record Entry(String path, String title, String algorithm, String digest, String digestOwner, URI url) {}

    private final Path sharedDir;
    private final Path cacheDir;

    /**
     * @param sharedDir a folder that may hold the texts (may be null)
     * @param cacheDir where downloaded copies are kept
     */
    public TextStore(Path sharedDir, Path cacheDir) {
        this.sharedDir = sharedDir;
        this.cacheDir = cacheDir;
    }

    /**
     * The defaults: {@code -Dcharlm.shared.data} (the launcher sets it to ../shared/data beside the
     * project) and {@code -Dcharlm.cache.dir} or ~/.cache/charlm/data.
     */
    public static TextStore fromSystemProperties() {
        String shared = System.getProperty("charlm.shared.data");
        String cache = System.getProperty("charlm.cache.dir",
                Path.of(System.getProperty("user.home"), ".cache", "charlm", "data").toString());
        return new TextStore(shared == null ? null : Path.of(shared), Path.of(cache));
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** The path of a verified copy of {@code entry}, downloading it if needed. */
    public Path resolve(Entry entry) throws InvalidTextException {
        if (sharedDir != null) {
            Path shared = sharedDir.resolve(entry.path());
            if (Files.isRegularFile(shared) && hasDigest(shared, entry)) {
                return shared;
            }
        }
        Path cached = cacheDir.resolve(entry.path());
        if (Files.isRegularFile(cached) && hasDigest(cached, entry)) {
            return cached;
        }
        return download(entry, cached);
    }

    private static boolean hasDigest(Path file, Entry entry) {
        try {
            return entry.digest().equals(Corpus.digest(entry.algorithm(), Files.readAllBytes(file)));
        } catch (IOException e) {
            return false;
        }
    }

    private Path download(Entry entry, Path target) throws InvalidTextException {
        byte[] bytes;
        try {
            URLConnection connection = entry.url().toURL().openConnection();
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(30_000);
            try (InputStream in = connection.getInputStream()) {
                bytes = in.readAllBytes();
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidTextException(entry.url().toString(), "cannot download " + entry.title() + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); pass --data FILE, or put " + entry.path() + " in " + cacheDir);
        }
        String got = Corpus.digest(entry.algorithm(), bytes);
        if (!entry.digest().equals(got)) {
            throw new InvalidTextException(entry.url().toString(), "downloaded file has " + entry.algorithm() + " "
                    + got + ", expected " + entry.digestOwner() + " " + entry.digest() + "; nothing was saved");
        }
        try {
            Files.createDirectories(target.getParent());
            AtomicFiles.write(target, bytes);
        } catch (IOException e) {
            throw new InvalidTextException(cacheDir.toString(), "cannot save the download: " + e.getMessage());
        }
        return target;
    }
}
