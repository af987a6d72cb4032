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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The d2l download path, against a server on the loopback address. */
class DefaultDataTest {

    @TempDir Path cache;
    private HttpServer server;

    private URI serve(byte[] body) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/timemachine.txt", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/timemachine.txt");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static byte[] realBook() throws Exception {
        return Files.readAllBytes(Path.of(System.getProperty("charlm.shared.data"), "timemachine.txt"));
    }

    @Test
    void downloadsVerifiesAndCaches() throws Exception {
        URI url = serve(realBook());
        Path got = new DefaultData(null, cache, url).timeMachine();
        assertEquals(cache.resolve("timemachine.txt"), got);
        assertEquals(DefaultData.TIME_MACHINE_SHA1, Corpus.digest("SHA-1", Files.readAllBytes(got)));
        server.stop(0);
        server = null;
        // Second call: served from the cache, no network needed.
        assertEquals(got, new DefaultData(null, cache, url).timeMachine());
    }

    @Test
    void checksumMismatchIsRefusedAndNothingIsSaved() throws Exception {
        URI url = serve("not the book".getBytes());
        InvalidTextException e = assertThrows(InvalidTextException.class,
                () -> new DefaultData(null, cache, url).timeMachine());
        assertTrue(e.getMessage().contains("expected d2l's " + DefaultData.TIME_MACHINE_SHA1), e.getMessage());
        try (var files = Files.list(cache)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void offlineGivesAClearError() throws Exception {
        URI url = URI.create("http://127.0.0.1:9/timemachine.txt"); // discard port: refused
        InvalidTextException e = assertThrows(InvalidTextException.class,
                () -> new DefaultData(null, cache, url).timeMachine());
        assertTrue(e.getMessage().contains("cannot download The Time Machine"), e.getMessage());
        assertTrue(e.getMessage().contains("pass --data FILE"), e.getMessage());
        assertFalse(Files.exists(cache.resolve("timemachine.txt")));
    }

    @Test
    void sharedCopyWinsWithoutNetwork() throws Exception {
        Path shared = Path.of(System.getProperty("charlm.shared.data"));
        URI unreachable = URI.create("http://127.0.0.1:9/timemachine.txt");
        assertEquals(shared.resolve("timemachine.txt"), new DefaultData(shared, cache, unreachable).timeMachine());
    }
}
