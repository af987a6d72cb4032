package dev.charlm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./charlm bench http}: the real {@code charlm serve} (the packaged app, in its own
 * process) measured from outside over loopback with raw sockets, side by side in one run:
 * requests on a fresh connection each against requests on one kept-alive connection (the way
 * every OpenAI-style client pools them), and fresh requests while hundreds of idle connections
 * are held open. Prints medians and ratios.
 */
public final class HttpBench {

    private HttpBench() {}

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(System.getProperty("charlm.app.jar", "native-app/target/quarkus-app/quarkus-run.jar"));
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path log = Files.createTempFile("charlm-serve", ".log");
        Process serve = new ProcessBuilder("java", "-jar", jar.toString(), "serve", "--port", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = port(log);
            byte[] health = "GET /health HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] body = "{\"prompt\":\"the time\",\"max_characters\":20}".getBytes(StandardCharsets.UTF_8);
            byte[] generate = concat(("POST /v1/generate HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), body);
            // Warm-up: JIT and the model's first calls.
            fresh(port, health, 200);
            kept(port, generate, 50);

            System.out.printf(Locale.ROOT, "charlm serve over loopback, %d requests per row, medians (ms)%n%n", n);
            System.out.printf(Locale.ROOT, "%-44s %10s %10s %10s%n", "request", "fresh", "kept alive", "kept/fresh");
            row("GET /health", fresh(port, health, n), kept(port, health, n));
            row("POST /v1/generate, 20 characters", fresh(port, generate, n / 3), kept(port, generate, n / 3));

            List<Socket> idle = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                idle.add(s); // ... and send nothing
            }
            double[] crowded = fresh(port, health, n);
            double[] quiet = fresh(port, health, n);
            for (Socket s : idle) {
                s.close();
            }
            System.out.printf(Locale.ROOT, "%nGET /health on a fresh connection: %.2f ms with 300 idle connections held"
                    + " open, %.2f ms without (%.2fx); every request answered%n", median(crowded), median(quiet),
                    median(crowded) / median(quiet));
        } finally {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    private static void row(String name, double[] fresh, double[] kept) {
        System.out.printf(Locale.ROOT, "%-44s %10.2f %10.2f %9.2fx%n", name, median(fresh), median(kept),
                median(kept) / median(fresh));
    }

    private static int port(Path log) throws Exception {
        Pattern listening = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+) ");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = listening.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("serve did not start: " + Files.readString(log));
    }

    /** Each request on a connection of its own; milliseconds per request. */
    private static double[] fresh(int port, byte[] request, int n) throws IOException {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                s.getOutputStream().write(request);
                readAnswer(s.getInputStream());
            }
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    /** All requests on one kept-alive connection, one after another. */
    private static double[] kept(int port, byte[] request, int n) throws IOException {
        double[] ms = new double[n];
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                s.getOutputStream().write(request);
                readAnswer(s.getInputStream());
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        return ms;
    }

    /** Reads one answer: its head, then a Content-Length body or a chunked one. */
    private static void readAnswer(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed mid-answer");
            }
            head.append((char) b);
        }
        String h = head.toString().toLowerCase(Locale.ROOT);
        if (!h.startsWith("http/1.1 200")) {
            throw new IOException("answer: " + head);
        }
        int at = h.indexOf("content-length:");
        if (at >= 0) {
            in.readNBytes(Integer.parseInt(h.substring(at + 15, h.indexOf("\r\n", at)).trim()));
            return;
        }
        while (true) {
            StringBuilder size = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                size.append((char) b);
            }
            int len = Integer.parseInt(size.toString().trim(), 16);
            in.readNBytes(len + 2);
            if (len == 0) {
                return;
            }
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
