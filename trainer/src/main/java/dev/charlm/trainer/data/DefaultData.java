package dev.charlm.trainer.data;

import dev.charlm.contract.InvalidTextException;
import dev.charlm.contract.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds The Time Machine as d2l does: the project's shared data folder, else a cache folder,
 * else a download from d2l's data hub checked against d2l's SHA-1, kept in the cache.
 */
public final class DefaultData {

    /** d2l's {@code DATA_HUB['time_machine']} checksum. */
    public static final String TIME_MACHINE_SHA1 = "090b5e7e70c295757f55df93cb0a180b9691891a";
    /** d2l's {@code DATA_URL + 'timemachine.txt'}. */
    public static final String TIME_MACHINE_URL =
            "http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt";
    public static final String FILE_NAME = "timemachine.txt";

    private final Path sharedDir;
    private final Path cacheDir;
    private final URI url;

    /**
     * @param sharedDir a folder that may hold timemachine.txt (may be null)
     * @param cacheDir where a downloaded copy is kept
     * @param url where to download from
     */
    public DefaultData(Path sharedDir, Path cacheDir, URI url) {
        this.sharedDir = sharedDir;
        this.cacheDir = cacheDir;
        this.url = url;
    }

    /**
     * The defaults: {@code -Dcharlm.shared.data} (the launcher sets it to ../shared/data beside the
     * project), {@code -Dcharlm.cache.dir} or ~/.cache/charlm/data, {@code -Dcharlm.data.url} or
     * d2l's hub.
     */
    public static DefaultData fromSystemProperties() {
        String shared = System.getProperty("charlm.shared.data");
        String cache = System.getProperty("charlm.cache.dir",
                Path.of(System.getProperty("user.home"), ".cache", "charlm", "data").toString());
        return new DefaultData(shared == null ? null : Path.of(shared), Path.of(cache),
                URI.create(System.getProperty("charlm.data.url", TIME_MACHINE_URL)));
    }

    /** The path of a verified copy of The Time Machine, downloading it if needed. */
    public Path timeMachine() throws InvalidTextException {
        if (sharedDir != null) {
            Path shared = sharedDir.resolve(FILE_NAME);
            if (Files.isRegularFile(shared)) {
                return shared;
            }
        }
        Path cached = cacheDir.resolve(FILE_NAME);
        if (Files.isRegularFile(cached) && hasChecksum(cached)) {
            return cached;
        }
        return download(cached);
    }

    private static boolean hasChecksum(Path file) {
        try {
            return TIME_MACHINE_SHA1.equals(Corpus.digest("SHA-1", Files.readAllBytes(file)));
        } catch (IOException e) {
            return false;
        }
    }

    private Path download(Path target) throws InvalidTextException {
        byte[] bytes;
        try {
            URLConnection connection = url.toURL().openConnection();
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(30_000);
            try (InputStream in = connection.getInputStream()) {
                bytes = in.readAllBytes();
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidTextException(url.toString(), "cannot download The Time Machine ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); pass --data FILE, or put " + FILE_NAME + " in " + cacheDir);
        }
        String sha1 = Corpus.digest("SHA-1", bytes);
        if (!TIME_MACHINE_SHA1.equals(sha1)) {
            throw new InvalidTextException(url.toString(), "downloaded file has SHA-1 " + sha1
                    + ", expected d2l's " + TIME_MACHINE_SHA1 + "; nothing was saved");
        }
        try {
            Files.createDirectories(cacheDir);
            AtomicFiles.write(target, bytes);
        } catch (IOException e) {
            throw new InvalidTextException(cacheDir.toString(), "cannot save the download: " + e.getMessage());
        }
        return target;
    }
}
