package dev.charlm.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.charlm.contract.InvalidTextException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest behind --data library, and its resolution: shared copy, cache, checked download. */
class LibraryTest {

    @TempDir Path dir;
    private HttpServer server;
    private final AtomicInteger downloads = new AtomicInteger();
    static final Path shared = Path.of(System.getProperty("charlm.shared.data"));

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A loopback server answering every path with {@code body}. */
    private URI serve(byte[] body) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            downloads.incrementAndGet();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/text");
    }

    static Library.Text alice() {
        return Library.texts().stream().filter(t -> t.author().equals("Carroll")).findFirst().orElseThrow();
    }

    static TextStore.Entry at(Library.Text t, URI url) {
        return new TextStore.Entry(t.path(), t.title(), "SHA-256", t.sha256(), "the manifest's", url);
    }

    @Test
    void theManifestListsTwelveNovelsFourByWellsAndTheSharedCopiesMatchIt() throws Exception {
        assertEquals(12, Library.texts().size());
        assertEquals(4, Library.texts().stream().filter(t -> t.author().equals(Library.WELLS)).count());
        assertEquals("timemachine.txt", Library.texts().get(0).fileName());
        for (Library.Text t : Library.texts()) {
            Path copy = shared.resolve(t.path());
            assertEquals(t.bytes(), Files.size(copy), t.path());
            assertEquals(t.sha256(), Corpus.digest("SHA-256", Files.readAllBytes(copy)), t.path());
        }
    }

    /** --data more: 21 further novels, none of them in the library, each resolved and checked as the library's are. */
    @Test
    void theFurtherManifestListsTwentyOneOtherNovelsAndTheSharedCopiesMatchIt() throws Exception {
        assertEquals(21, Library.more().size());
        java.util.Set<String> library = new java.util.HashSet<>();
        Library.texts().forEach(t -> library.add(t.sha256()));
        TextStore store = new TextStore(shared, dir.resolve("cache"));
        for (Library.Text t : Library.more()) {
            assertFalse(library.contains(t.sha256()), t.path() + " is in the library too");
            assertTrue(t.url().toString().startsWith("https://"), t.path() + ": " + t.url());
            Path copy = store.resolve(at(t, t.url()));
            assertEquals(shared.resolve(t.path()), copy);
            assertEquals(t.bytes(), Files.size(copy), t.path());
            assertEquals(t.sha256(), Corpus.digest("SHA-256", Files.readAllBytes(copy)), t.path());
        }
    }

    @Test
    void resolutionOrderIsSharedCopyThenCacheThenDownload() throws Exception {
        Library.Text alice = alice();
        byte[] book = Files.readAllBytes(shared.resolve(alice.path()));
        URI url = serve(book);
        Path cache = dir.resolve("cache");
        // The shared copy, when it is there: no download.
        assertEquals(shared.resolve(alice.path()), new TextStore(shared, cache).resolve(at(alice, url)));
        assertEquals(0, downloads.get());
        // No shared folder: downloaded, checked and cached ...
        Path got = new TextStore(null, cache).resolve(at(alice, url));
        assertEquals(cache.resolve(alice.path()), got);
        assertEquals(1, downloads.get());
        // ... and from the cache the next time.
        assertEquals(got, new TextStore(null, cache).resolve(at(alice, url)));
        assertEquals(1, downloads.get());
        // A shared copy that does not match the manifest is not used.
        Path tampered = Files.createDirectories(dir.resolve("shared/library"));
        Files.writeString(tampered.resolve(Path.of(alice.path()).getFileName()), "not the book");
        assertEquals(got, new TextStore(dir.resolve("shared"), cache).resolve(at(alice, url)));
    }

    @Test
    void aDownloadWithTheWrongChecksumIsRefusedAndNothingIsSaved() throws Exception {
        URI url = serve("not the book".getBytes());
        Path cache = dir.resolve("cache");
        InvalidTextException e = assertThrows(InvalidTextException.class,
                () -> new TextStore(null, cache).resolve(at(alice(), url)));
        assertTrue(e.getMessage().contains("expected the manifest's " + alice().sha256() + "; nothing was saved"),
                e.getMessage());
        assertFalse(Files.exists(cache.resolve(alice().path())));
    }

    @Test
    void offlineIsOneClearLine() {
        URI refused = URI.create("http://127.0.0.1:9/alice.txt");
        InvalidTextException e = assertThrows(InvalidTextException.class,
                () -> new TextStore(null, dir.resolve("cache")).resolve(at(alice(), refused)));
        assertTrue(e.getMessage().startsWith(refused + ": cannot download Alice's Adventures in Wonderland ("), e.getMessage());
        assertTrue(e.getMessage().contains("pass --data FILE, or put library/carroll_alice_in_wonderland.txt in"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
