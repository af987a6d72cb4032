package dev.charlm.trainer.data;

import dev.charlm.contract.InvalidTextException;
import java.net.URI;
import java.nio.file.Path;

/**
 * The chapter's text, The Time Machine, found as d2l finds it: the shared data folder, else the
 * cache, else d2l's data hub, checked against d2l's SHA-1 ({@link TextStore}).
 */
public final class DefaultData {

    /** d2l's {@code DATA_HUB['time_machine']} checksum. */
    public static final String TIME_MACHINE_SHA1 = "090b5e7e70c295757f55df93cb0a180b9691891a";
    /** d2l's {@code DATA_URL + 'timemachine.txt'}. */
    public static final String TIME_MACHINE_URL =
            "http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt";
    public static final String FILE_NAME = "timemachine.txt";

    private final TextStore store;
    private final URI url;

    /**
     * @param sharedDir a folder that may hold timemachine.txt (may be null)
     * @param cacheDir where a downloaded copy is kept
     * @param url where to download from
     */
    public DefaultData(Path sharedDir, Path cacheDir, URI url) {
        this.store = new TextStore(sharedDir, cacheDir);
        this.url = url;
    }

    /**
     * The defaults: those of {@link TextStore#fromSystemProperties()}, and {@code
     * -Dcharlm.data.url} or d2l's hub.
     */
    public static DefaultData fromSystemProperties() {
        TextStore store = TextStore.fromSystemProperties();
        String shared = System.getProperty("charlm.shared.data");
        return new DefaultData(shared == null ? null : Path.of(shared), store.cacheDir(),
                URI.create(System.getProperty("charlm.data.url", TIME_MACHINE_URL)));
    }

    /** The path of a verified copy of The Time Machine, downloading it if needed. */
    public Path timeMachine() throws InvalidTextException {
        return store.resolve(new TextStore.Entry(FILE_NAME, "The Time Machine", "SHA-1", TIME_MACHINE_SHA1, "d2l's", url));
    }
}
