package dev.charlm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What bounds the server, tried as hostile or careless clients would, over loopback and in
 * bounded time: stalled senders, a crowd over the request slots, and requests that would cost
 * too much.
 */
class ServerLimitsTest {

    static CharModel model;
    static CharModel scoring;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void load() throws Exception {
        model = CharModel.loadDefault();
        scoring = CharModel.loadDefault(ModelOptions.forScoring());
    }

    @AfterAll
    static void close() {
        model.close();
        scoring.close();
    }

    static URI start(HttpApi api) throws Exception {
        return URI.create("http://127.0.0.1:" + api.start("127.0.0.1", 0).getPort());
    }

    static HttpResponse<String> post(URI at, String path, String contentType, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(at.resolve(path)).header("Content-Type", contentType)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Timeout(60)
    void stalledSendersDoNotStallOthersAndAreDisconnected() throws Exception {
        try (HttpApi api = new HttpApi(model, scoring, new HttpApi.Limits(4, 1 << 20, 1000, 2_000, 20_000, 16, 256, 256,
                3, 60_000))) {
            URI at = start(api);
            List<Socket> slow = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", at.getPort()), 2_000);
                OutputStream out = s.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                out.flush(); // ... and the header never ends
                slow.add(s);
            }
            for (int i = 0; i < 5; i++) {
                // Answered while the stalled connections are open (the timeout only guards against a hang).
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(at.resolve("/health"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode());
            }
            // The server gives up on them after its read timeout (3 s in the tests).
            long deadline = System.nanoTime() + 20_000_000_000L;
            for (Socket s : slow) {
                s.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                InputStream in = s.getInputStream();
                try {
                    while (in.read() >= 0) {
                        // whatever the server says before closing
                    }
                } catch (java.net.SocketException closed) {
                    // reset: closed as well
                }
                s.close();
            }
        }
    }

    @Test
    @Timeout(120)
    void underACrowdEveryRequestStartsOrGets503WithinTheWait() throws Exception {
        long waitMillis = 2_000;
        try (HttpApi api = new HttpApi(model, scoring, new HttpApi.Limits(4, 1 << 20, 3000, waitMillis))) {
            URI at = start(api);
            ExecutorService pool = Executors.newFixedThreadPool(60);
            List<CompletableFuture<HttpResponse<String>>> results = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                results.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.send(HttpRequest.newBuilder(at.resolve("/v1/generate"))
                                .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"prompt\":\"time traveller\",\"max_characters\":3000}")).build(),
                                HttpResponse.BodyHandlers.ofString());
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, pool));
            }
            int ok = 0;
            int busy = 0;
            for (CompletableFuture<HttpResponse<String>> f : results) {
                HttpResponse<String> r = f.get(100, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    ok++;
                    assertTrue(r.body().contains("event: done"), "a started stream ends properly");
                } else {
                    busy++;
                    assertEquals(503, r.statusCode(), r.body());
                    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
                }
            }
            pool.shutdownNow();
            // Every request got its slot or its 503: none was left waiting in a queue.
            assertEquals(60, ok + busy);
            assertTrue(ok >= 4 && busy >= 1, ok + " served, " + busy + " refused");
        }
    }

    @Test
    void whatARequestMayCostIsBounded() throws Exception {
        try (HttpApi api = new HttpApi(model, scoring, new HttpApi.Limits(4, 4 << 20, 1000, 2_000, 200, 3, 5, 64, 20, 1))) {
            URI at = start(api);
            HttpResponse<String> longPrompt = post(at, "/v1/generate", "application/json",
                    "{\"prompt\":\"" + "ab ".repeat(100) + "\"}");
            assertEquals(400, longPrompt.statusCode());
            assertTrue(longPrompt.body().contains("field 'prompt' has 300 characters; at most 200"), longPrompt.body());
            HttpResponse<String> stops = post(at, "/v1/generate", "application/json",
                    "{\"prompt\":\"the\",\"stop\":[\"a\",\"b\",\"c\",\"d\"]}");
            assertEquals(400, stops.statusCode());
            assertTrue(stops.body().contains("field 'stop' has 4 strings; at most 3"), stops.body());
            HttpResponse<String> longStop = post(at, "/v1/generate", "application/json",
                    "{\"prompt\":\"the\",\"stop\":[\"" + "x".repeat(65) + "\"]}");
            assertEquals(400, longStop.statusCode());

            String boundary = "b";
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                body.append("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"p").append(i)
                        .append(".txt\"\r\n\r\nthe time traveller\r\n");
            }
            body.append("--b--\r\n");
            HttpResponse<String> parts = post(at, "/v1/score", "multipart/form-data; boundary=" + boundary, body.toString());
            assertEquals(413, parts.statusCode(), parts.body());
            assertTrue(parts.body().contains("more than 5 parts"), parts.body());
            // A 1 ms scoring budget: the work stops after the first batched call.
            HttpResponse<String> slow = post(at, "/v1/score", "text/plain", "the time traveller said ".repeat(5_000));
            assertEquals(503, slow.statusCode(), slow.body());
            assertTrue(slow.body().contains("scoring took longer than"), slow.body());
        }
    }

    @Test
    void malformedJsonIsRefused() throws Exception {
        try (HttpApi api = new HttpApi(model, scoring, new HttpApi.Limits(4, 1 << 20, 1000, 2_000))) {
            URI at = start(api);
            HttpResponse<String> dup = post(at, "/v1/generate", "application/json", "{\"prompt\":\"a\",\"prompt\":\"b\"}");
            assertEquals(400, dup.statusCode());
            assertTrue(json.readTree(dup.body()).get("error").asText().contains("Duplicate field 'prompt'"), dup.body());
            HttpResponse<String> trailing = post(at, "/v1/generate", "application/json", "{\"prompt\":\"a\"} {\"x\":1}");
            assertEquals(400, trailing.statusCode());
            assertTrue(json.readTree(trailing.body()).get("error").asText().contains("invalid JSON"), trailing.body());
        }
    }

    @Test
    void multipartPartsAreScoredTogetherAsTheCliScoresFiles() throws Exception {
        String a = "the time traveller smiled round at us ".repeat(500);
        String b = "then he said the machine was ready ".repeat(20);
        String body = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\n" + a
                + "\r\n--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"b.txt\"\r\n\r\n" + b + "\r\n--b--\r\n";
        try (HttpApi api = new HttpApi(model, scoring, new HttpApi.Limits(4, 1 << 20, 1000, 2_000))) {
            URI at = start(api);
            HttpResponse<String> r = post(at, "/v1/score", "multipart/form-data; boundary=b", body);
            assertEquals(200, r.statusCode(), r.body());
            var files = json.readTree(r.body()).get("files");
            assertEquals(scoring.newScorer().score("a.txt", a).totalNll() > 0, true);
            assertEquals(scoring.newScorer().score("a.txt", a).perplexity(), files.get(0).get("perplexity").asDouble(), 1e-12);
            assertEquals(scoring.newScorer().score("b.txt", b).perplexity(), files.get(1).get("perplexity").asDouble(), 1e-12);
            assertEquals("segmented", files.get(0).get("mode").asText());
            // The total in the form `charlm score --json` prints.
            var total = json.readTree(r.body()).get("total");
            assertTrue(total.get("total").asBoolean());
            assertEquals(2, total.get("files").asInt());
        }
    }
}
