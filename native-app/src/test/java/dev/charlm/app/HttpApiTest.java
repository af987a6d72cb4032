package dev.charlm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP API against a server on the loopback address. */
class HttpApiTest {

    static CharModel model;
    static HttpApi api;
    static URI base;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        model = CharModel.loadDefault();
        api = new HttpApi(model, new HttpApi.Limits(4, 64 * 1024, 5000, 30_000));
        var at = api.start("127.0.0.1", 0);
        base = URI.create("http://127.0.0.1:" + at.getPort());
    }

    @AfterAll
    static void stop() {
        api.close();
        model.close();
    }

    static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", contentType)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void assertError(HttpResponse<String> r, int status, String fragment) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        String error = json.readTree(r.body()).get("error").asText();
        assertTrue(error.contains(fragment), error);
    }

    static String greedy(String prompt, int n) {
        return model.newSession().generate(prompt, GenerationOptions.greedy(n), null).text();
    }

    /** Reads an SSE response: the text of the chunks, and the done event. */
    record Stream(String text, JsonNode done, int inFlightAtFirstChunk, int chunks) {}

    static Stream generate(String body) throws Exception {
        HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(base.resolve("/v1/generate"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        StringBuilder text = new StringBuilder();
        JsonNode done = null;
        int inFlightAtFirst = -1;
        int chunks = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String event = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    JsonNode data = json.readTree(line.substring(6));
                    if ("chunk".equals(event)) {
                        if (chunks++ == 0) {
                            inFlightAtFirst = api.requestsInFlight();
                        }
                        text.append(data.get("text").asText());
                    } else if ("done".equals(event)) {
                        done = data;
                    }
                }
            }
        }
        return new Stream(text.toString(), done, inFlightAtFirst, chunks);
    }

    @Test
    void healthSaysWhatIsServed() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        JsonNode h = json.readTree(r.body());
        assertEquals("ok", h.get("status").asText());
        assertEquals("lstm", h.get("cell").asText());
    }

    @Test
    void generationStreamsChunksBeforeItEnds() throws Exception {
        Stream s = generate("{\"prompt\":\"time traveller\",\"max_characters\":3000}");
        assertEquals(greedy("time traveller", 3000), s.text());
        assertEquals(3000, s.done().get("characters").asInt());
        assertEquals("length", s.done().get("finish_reason").asText());
        assertTrue(s.chunks() > 100, "chunks: " + s.chunks());
        // The first chunk arrived while the generation was still running: streamed, not sent at the end.
        assertTrue(s.inFlightAtFirstChunk() > 0, "the request had ended when its first chunk arrived");
    }

    @Test
    void stopStringsAndSamplingOptionsWork() throws Exception {
        Stream s = generate("{\"prompt\":\"the\",\"max_characters\":400,\"temperature\":0.8,\"top_k\":5,"
                + "\"top_p\":0.9,\"seed\":7,\"stop\":[\" the \"]}");
        assertEquals("stop_string", s.done().get("finish_reason").asText());
        assertEquals(" the ", s.done().get("stop").asText());
        assertTrue(s.text().endsWith(" the "));
        assertEquals(s.text(), generate("{\"prompt\":\"the\",\"max_characters\":400,\"temperature\":0.8,\"top_k\":5,"
                + "\"top_p\":0.9,\"seed\":7,\"stop\":[\" the \"]}").text(), "same seed, same text");
    }

    @Test
    void badRequestsGetA4xxWithAJsonError() throws Exception {
        assertError(post("/v1/generate", "application/json", "{\"prompt\": \"the\""), 400, "invalid JSON");
        assertError(post("/v1/generate", "application/json", "[1, 2]"), 400, "must be a JSON object");
        assertError(post("/v1/generate", "application/json", "{\"max_characters\": 5}"), 400, "'prompt' is required");
        assertError(post("/v1/generate", "application/json", "{\"prompt\":\"the\",\"max_characters\":-5}"), 400,
                "'max_characters' must be in [0, 5000], got -5");
        assertError(post("/v1/generate", "application/json", "{\"prompt\":\"the\",\"beam_width\":4}"), 400,
                "unknown field 'beam_width'");
        assertError(post("/v1/generate", "application/json", "{\"prompt\":\"the\",\"top_p\":2}"), 400,
                "field 'top_p' must be in (0, 1], got 2.0");
        assertError(post("/v1/generate", "application/json", "{\"prompt\":\"123\"}"), 400, "empty after d2l preprocessing");
        assertError(post("/v1/generate", "application/json", "{\"prompt\":\"" + "a".repeat(70_000) + "\"}"), 413,
                "exceeds 65536 bytes");
        assertError(post("/nothing", "application/json", "{}"), 404, "no such endpoint");
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(base.resolve("/v1/generate")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(get, 405, "use POST");
        assertError(post("/v1/score", "application/pdf", "%PDF"), 415, "text/plain or multipart/form-data");
    }

    @Test
    void integersFollowOneRule() throws Exception {
        // A JSON number with no fractional part is an integer, whatever its spelling; others are refused.
        assertError(post("/v1/generate", "application/json", "{\"prompt\":\"the\",\"seed\":1.5}"), 400,
                "field 'seed' must be an integer, got 1.5");
        assertError(post("/v1/generate", "application/json", "{\"prompt\":\"the\",\"seed\":1e999}"), 400,
                "field 'seed' must be in [");
        assertError(post("/v1/generate", "application/json", "{\"prompt\":\"the\",\"top_k\":2.5}"), 400,
                "field 'top_k' must be an integer");
        assertError(post("/v1/generate", "application/json", "{\"prompt\":\"the\",\"temperature\":1e999}"), 400,
                "field 'temperature' must be a finite number");
        Stream five = generate("{\"prompt\":\"the\",\"max_characters\":5.0,\"seed\":7.0,\"temperature\":0.5}");
        assertEquals(5, five.done().get("characters").asInt());
        assertEquals(five.text(), generate("{\"prompt\":\"the\",\"max_characters\":5,\"seed\":7,\"temperature\":0.5}")
                .text(), "7.0 is the seed 7");
    }

    @Test
    void scoresATextBody() throws Exception {
        String text = "the time traveller smiled round at us then he said";
        HttpResponse<String> r = post("/v1/score", "text/plain; charset=utf-8", text);
        assertEquals(200, r.statusCode(), r.body());
        double expected = model.newScorer().score("x", text).perplexity();
        assertEquals(expected, json.readTree(r.body()).get("perplexity").asDouble(), expected * 1e-9);
    }

    @Test
    void scoresUploadedFilesAndNamesTheBadOne() throws Exception {
        String boundary = "charlm-test-boundary";
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"good.txt\"\r\n\r\n"
                + "the time traveller smiled\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"bad.txt\"\r\n\r\n"
                + "caf\u0000e\r\n"
                + "--" + boundary + "--\r\n";
        HttpResponse<String> r = post("/v1/score", "multipart/form-data; boundary=" + boundary, body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode files = json.readTree(r.body()).get("files");
        assertEquals("good.txt", files.get(0).get("file").asText());
        assertTrue(files.get(0).has("perplexity"));
        assertTrue(files.get(1).get("error").asText().startsWith("bad.txt: looks binary"), files.toString());
    }

    @Test
    void manyConcurrentClientsAreAllAnsweredCorrectly() throws Exception {
        List<String> prompts = List.of("the time", "weena", "the machine", "morlocks", "i saw", "it was");
        List<CompletableFuture<Stream>> futures = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String p = prompts.get(i % prompts.size());
            futures.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return generate("{\"prompt\":\"" + p + "\",\"max_characters\":60}");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (int i = 0; i < futures.size(); i++) {
            assertEquals(greedy(prompts.get(i % prompts.size()), 60), futures.get(i).get().text(), "client " + i);
        }
    }

    @Test
    void requestsOverTheBoundGet503() throws Exception {
        try (HttpApi tight = new HttpApi(model, new HttpApi.Limits(1, 1024, 100_000, 0))) {
            URI at = URI.create("http://127.0.0.1:" + tight.start("127.0.0.1", 0).getPort());
            // The stream's head arrives once it holds the only slot.
            HttpResponse<java.io.InputStream> slow = client.send(HttpRequest.newBuilder(at.resolve("/v1/generate"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"the\",\"max_characters\":50000}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, slow.statusCode());
            HttpResponse<String> busy = client.send(HttpRequest.newBuilder(at.resolve("/v1/generate"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"the\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, busy.statusCode(), busy.body());
            assertTrue(busy.body().contains("busy"));
            assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
            try (java.io.InputStream in = slow.body()) {
                assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("event: done"));
            }
        }
    }
}
