package dev.charlm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged app as a process, the way shells use it: a reader that closes the pipe, Ctrl-C,
 * SIGTERM. Each test waits for the process's own signs (its exit, its output), with a bound.
 */
class ProcessesIT {

    static final Path JAR = Path.of(System.getProperty("charlm.app.jar", "target/quarkus-app/quarkus-run.jar"));
    static final Path DATA = Path.of(System.getProperty("charlm.shared.data", "../../shared/data"));

    @TempDir Path dir;

    static Process start(Path err, String... args) throws IOException {
        return start(err, java.util.Map.of(), args);
    }

    static Process start(Path err, java.util.Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).redirectError(err.toFile());
        b.environment().putAll(env);
        return b.start();
    }

    static void signal(Process p, String signal) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
    }

    /** Many copies of the novels as paths: several minutes of scoring if nothing stops it. */
    List<String> manyNovels() throws IOException {
        List<String> files = new ArrayList<>();
        String[] novels = {"timemachine.txt", "war_of_the_worlds.txt", "pride_and_prejudice.txt"};
        for (int i = 0; i < 60; i++) {
            Path link = dir.resolve("copy" + i + ".txt");
            Files.createSymbolicLink(link, DATA.resolve(novels[i % novels.length]).toAbsolutePath());
            files.add(link.toString());
        }
        return files;
    }

    @Test
    @Timeout(60)
    void generateStopsWhenItsReaderClosesThePipe() throws Exception {
        Path err = dir.resolve("err.txt");
        Process p = start(err, "generate", "--length", "1000000000");
        byte[] first = p.getInputStream().readNBytes(10); // as `| head -c 10` does
        p.getInputStream().close();
        assertEquals(10, first.length);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "generate still running after its reader left");
        assertEquals(dev.charlm.cli.Cli.OUTPUT_CLOSED, p.exitValue());
        assertEquals("", Files.readString(err).strip(), "quiet: nothing on stderr");
    }

    @Test
    @Timeout(120)
    void scoreStopsWhenItsReaderClosesThePipe() throws Exception {
        List<String> args = new ArrayList<>(List.of("score"));
        args.addAll(manyNovels());
        Path err = dir.resolve("err.txt");
        Process p = start(err, args.toArray(String[]::new));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String header = out.readLine(); // as `| head -1` does
        p.getInputStream().close();
        assertTrue(header.startsWith("file"), header);
        // Scoring all 60 takes minutes; stopping takes until the first file is done.
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "score still running after its reader left");
        assertEquals(dev.charlm.cli.Cli.OUTPUT_CLOSED, p.exitValue(), Files.readString(err));
    }

    @Test
    @Timeout(120)
    void ctrlCDuringScoringPrintsWhatIsDoneAndMarksTheTotal() throws Exception {
        List<String> args = new ArrayList<>(List.of("score", "--json"));
        args.addAll(manyNovels());
        Path err = dir.resolve("err.txt");
        Process p = start(err, args.toArray(String[]::new));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine(); // the first file is done
        assertTrue(first.startsWith("{\"file\""), first);
        signal(p, "INT");
        List<String> rest = new ArrayList<>();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            rest.add(line);
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(dev.charlm.cli.Cli.INTERRUPTED, p.exitValue());
        String total = rest.get(rest.size() - 1);
        assertTrue(total.startsWith("{\"total\":true,\"files\":") && total.endsWith("\"interrupted\":true}"), total);
        assertTrue(rest.size() < 60, "interrupted before the end: " + rest.size() + " lines");
        assertTrue(Files.readString(err).contains("charlm score: interrupted: "), Files.readString(err));
    }

    @Test
    @Timeout(120)
    void sigtermToServeEndsRunningStreamsProperly() throws Exception {
        Path err = dir.resolve("err.txt");
        // The API key from the environment, as a deployment would pass it.
        Process p = start(err, java.util.Map.of("CHARLM_API_KEY", "sk-from-env"), "serve", "--port", "0", "--shutdown-grace", "1", "--max-characters", "1000000",
                "--model", "large", "--precision", "int8"); // the large model's twin, served as a deployment would
        Pattern listening = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+) ");
        int port = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (port < 0 && System.nanoTime() < deadline) {
            Matcher m = listening.matcher(Files.readString(err));
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            } else {
                Thread.sleep(50);
            }
        }
        assertTrue(port > 0, "serve did not start: " + Files.readString(err));
        try (Socket h = new Socket("127.0.0.1", port)) {
            h.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String health = new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(health.contains("\"model\":\"large model (int8)\"") && health.contains("\"precision\":\"int8\"")
                    && health.contains("\"id\":\"charlm-large-int8\""), health);
        }
        try (Socket m = new Socket("127.0.0.1", port)) {
            m.getOutputStream().write("GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String models = new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(models.startsWith("HTTP/1.1 401") && models.contains("invalid_api_key"), models);
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream o = s.getOutputStream();
            byte[] body = "{\"prompt\":\"the\",\"max_characters\":1000000}".getBytes(StandardCharsets.UTF_8);
            o.write(("POST /v1/generate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-from-env\r\n"
                    + "Content-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.write(body);
            o.flush();
            InputStream in = s.getInputStream();
            BufferedReader events = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String l = events.readLine(); l != null && !l.startsWith("event: chunk"); l = events.readLine()) {
                // the head
            }
            p.destroy(); // SIGTERM
            CompletableFuture<String> tail = CompletableFuture.supplyAsync(() -> {
                StringBuilder t = new StringBuilder();
                try {
                    for (String l = events.readLine(); l != null; l = events.readLine()) {
                        t.append(l).append('\n');
                        if (t.length() > 4000) {
                            t.delete(0, t.length() - 2000);
                        }
                    }
                } catch (IOException e) {
                    t.append("[").append(e).append("]");
                }
                return t.toString();
            });
            String end = tail.get(30, TimeUnit.SECONDS);
            assertTrue(end.contains("event: error\ndata: {\"error\":\"server is shutting down"), end);
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.readString(err).contains("charlm serve: stopping: 1 request(s) in flight"), Files.readString(err));
    }
}
