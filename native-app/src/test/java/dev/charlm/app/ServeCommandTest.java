package dev.charlm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** serve's command-line wiring; the API itself is exercised over HTTP by HttpApiTest. */
@QuarkusMainTest
class ServeCommandTest {

    @Test
    void aPortInUseIsOneLineAndExit2(QuarkusMainLauncher launcher) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            LaunchResult r = launcher.launch("serve", "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(2, r.exitCode());
            assertTrue(r.getErrorOutput().strip().endsWith("cannot listen there (Address already in use)"),
                    r.getErrorOutput());
        }
    }

    @Test
    void badLimitsAreRefused(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("serve", "--port", "70000");
        assertEquals(2, r.exitCode());
        assertTrue(r.getErrorOutput().contains("--port must be in [0, 65535]"), r.getErrorOutput());
    }

    @Test
    void anUnknownHostIsOneLine(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("serve", "--host", "no.such.host.invalid", "--port", "0");
        assertEquals(2, r.exitCode());
        assertEquals("charlm serve: error: --host no.such.host.invalid: no such host (the name does not resolve)",
                r.getErrorOutput().strip());
    }

    @Test
    void eachBadLimitIsNamed(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("serve", "--max-concurrent", "0");
        assertEquals(2, r.exitCode());
        assertEquals("charlm serve: error: --max-concurrent must be positive, got 0", r.getErrorOutput().strip());
    }

    @Test
    void aModelIdClientsCannotSendIsRefused(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("serve", "--port", "0", "--model-id", "my model");
        assertEquals(2, r.exitCode());
        assertEquals("charlm serve: error: --model-id must be printable ASCII without spaces or '/', got 'my model'",
                r.getErrorOutput().strip());
    }
}
