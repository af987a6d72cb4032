package dev.charlm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.GenerationOptions;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code serve}'s OpenAI completions protocol through clients nobody here wrote: the official
 * openai-java SDK and LangChain4j's OpenAI language models, against a real server on the
 * loopback address that asks for an API key. What the examples in docs/app.md do is done here.
 */
class OpenAiClientsTest {

    static final String KEY = "sk-charlm-test";
    static final String PROMPT = "the time traveller";
    static CharModel model;
    static HttpApi api;
    static String baseUrl;
    static OpenAIClient openai;

    @BeforeAll
    static void start() throws Exception {
        model = CharModel.loadDefault();
        api = new HttpApi(model, model, new HttpApi.Limits(4, 1 << 20, 5000, 30_000), "charlm-default", KEY);
        baseUrl = "http://127.0.0.1:" + api.start("127.0.0.1", 0).getPort() + "/v1";
        openai = OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey(KEY).maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        openai.close();
        api.close();
        model.close();
    }

    static String greedy(String prompt, int n) {
        return model.newSession().generate(prompt, GenerationOptions.greedy(n), null).text();
    }

    static CompletionCreateParams.Builder params(String prompt) {
        return CompletionCreateParams.builder().model("charlm-default").prompt(prompt);
    }

    @Test
    void greedyCompletionIsTheSdksGeneration() {
        Completion c = openai.completions().create(params(PROMPT).maxTokens(40).temperature(0.0).build());
        assertEquals("text_completion", c._object_().asString().orElseThrow());
        assertEquals("charlm-default", c.model());
        assertTrue(c.id().startsWith("cmpl-"), c.id());
        CompletionChoice choice = c.choices().get(0);
        assertEquals(greedy(PROMPT, 40), choice.text());
        assertEquals(CompletionChoice.FinishReason.LENGTH, choice.finishReason());
        assertEquals(PROMPT.length(), c.usage().orElseThrow().promptTokens());
        assertEquals(40, c.usage().orElseThrow().completionTokens());
    }

    @Test
    void aStreamCarriesTheSameTextAsTheAnswerAndEndsWithUsage() {
        CompletionCreateParams p = params(PROMPT).maxTokens(300).temperature(0.9).seed(11L).stop(" and").build();
        Completion whole = openai.completions().create(p);
        StringBuilder streamed = new StringBuilder();
        List<CompletionChoice.FinishReason> finishes = new ArrayList<>();
        long[] usage = {-1};
        int[] chunks = {0};
        try (StreamResponse<Completion> s = openai.completions().createStreaming(p.toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(chunk -> {
                chunks[0]++;
                for (CompletionChoice ch : chunk.choices()) {
                    streamed.append(ch.text());
                    ch._finishReason().asKnown().ifPresent(finishes::add);
                }
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        String text = whole.choices().get(0).text();
        assertEquals(text, streamed.toString());
        assertFalse(text.contains(" and"), "a stop string is not part of the text: " + text);
        assertEquals(List.of(whole.choices().get(0).finishReason()), finishes);
        assertEquals(whole.usage().orElseThrow().completionTokens(), usage[0]);
        assertTrue(chunks[0] > 2, chunks[0] + " chunks");
    }

    @Test
    void aStopStringEndsTheChoiceAndIsLeftOut() {
        String greedy = greedy(PROMPT, 200);
        int at = greedy.indexOf(" the ", 3);
        assertTrue(at > 0, greedy);
        Completion c = openai.completions().create(params(PROMPT).maxTokens(200).temperature(0.0)
                .stopOfStrings(List.of(" the ", "zzz")).build());
        assertEquals(greedy.substring(0, at), c.choices().get(0).text());
        assertEquals(CompletionChoice.FinishReason.STOP, c.choices().get(0).finishReason());
    }

    @Test
    void nChoicesPerPromptEachSeededInTurn() {
        Completion three = openai.completions().create(CompletionCreateParams.builder().model("charlm-default")
                .promptOfArrayOfStrings(List.of(PROMPT, "the machine")).n(3L).maxTokens(30).temperature(1.0)
                .seed(5L).build());
        assertEquals(6, three.choices().size());
        for (int i = 0; i < 6; i++) {
            assertEquals(i, three.choices().get(i).index());
        }
        // Choice j of a prompt is sampled with seed + j: the second choice is a seed-6 request's.
        Completion six = openai.completions().create(params(PROMPT).maxTokens(30).temperature(1.0).seed(6L).build());
        assertEquals(six.choices().get(0).text(), three.choices().get(1).text());
        Completion machine = openai.completions().create(params("the machine").maxTokens(30).temperature(1.0)
                .seed(5L).build());
        assertEquals(machine.choices().get(0).text(), three.choices().get(3).text());
        assertEquals(PROMPT.length() + "the machine".length(), three.usage().orElseThrow().promptTokens());
    }

    @Test
    void echoWithLogprobsScoresATextAsScoreDoes() throws Exception {
        String text = Files.readString(Path.of(System.getProperty("charlm.root"), "..", "shared", "data",
                "timemachine.txt")).substring(30_000, 42_000);
        Completion c = openai.completions().create(params(text).maxTokens(0L).echo(true).logprobs(0L).build());
        CompletionChoice.Logprobs lp = c.choices().get(0).logprobs().orElseThrow();
        List<Double> logprobs = lp.tokenLogprobs().orElseThrow();
        String seen = model.info().preprocessing().apply(text);
        assertEquals(seen, c.choices().get(0).text(), "echo returns the text as the model saw it");
        assertEquals(seen.length(), logprobs.size());
        assertNull(logprobs.get(0), "the first character has nothing before it");
        double nll = 0;
        for (Double d : logprobs.subList(1, logprobs.size())) {
            nll -= d;
        }
        double perplexity = Math.exp(nll / (logprobs.size() - 1));

        HttpResponse<String> score = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/score"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(text)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, score.statusCode(), score.body());
        double scored = new ObjectMapper().readTree(score.body()).get("perplexity").asDouble();
        assertEquals(scored, perplexity, scored * 1e-6);
        assertEquals(List.of(0L, 1L, 2L), lp.textOffset().orElseThrow().subList(0, 3));
    }

    @Test
    void greedyLogprobsNameTheChosenCharacterFirst() {
        Completion c = openai.completions().create(params(PROMPT).maxTokens(20).temperature(0.0).logprobs(3L).build());
        CompletionChoice.Logprobs lp = c.choices().get(0).logprobs().orElseThrow();
        List<String> tokens = lp.tokens().orElseThrow();
        assertEquals(c.choices().get(0).text(), String.join("", tokens));
        for (int i = 0; i < tokens.size(); i++) {
            Map<String, JsonValue> top = lp.topLogprobs().orElseThrow().get(i)._additionalProperties();
            assertEquals(3, top.size());
            Map.Entry<String, JsonValue> best = top.entrySet().iterator().next();
            assertEquals(tokens.get(i), best.getKey());
            assertEquals(lp.tokenLogprobs().orElseThrow().get(i), ((Number) best.getValue().asNumber().orElseThrow())
                    .doubleValue(), 1e-12);
        }
        // Offsets count characters into prompt and completion together.
        assertEquals((long) PROMPT.length(), lp.textOffset().orElseThrow().get(0));
    }

    @Test
    void refusedFieldsAndUnknownModelsAreOpenAiErrors() {
        BadRequestException bestOf = assertThrows(BadRequestException.class,
                () -> openai.completions().create(params(PROMPT).bestOf(2L).build()));
        assertEquals("best_of", bestOf.param().orElseThrow());
        assertTrue(bestOf.getMessage().contains("best_of > 1 is not supported"), bestOf.getMessage());
        BadRequestException penalty = assertThrows(BadRequestException.class,
                () -> openai.completions().create(params(PROMPT).presencePenalty(0.5).build()));
        assertEquals("presence_penalty", penalty.param().orElseThrow());
        BadRequestException tokens = assertThrows(BadRequestException.class, () -> openai.completions()
                .create(CompletionCreateParams.builder().model("charlm-default").promptOfArrayOfTokens(List.of(1L, 2L))
                        .build()));
        assertTrue(tokens.getMessage().contains("token ids are not accepted"), tokens.getMessage());
        BadRequestException tooLong = assertThrows(BadRequestException.class,
                () -> openai.completions().create(params(PROMPT).maxTokens(5001L).build()));
        assertEquals("max_tokens", tooLong.param().orElseThrow());
        NotFoundException other = assertThrows(NotFoundException.class,
                () -> openai.completions().create(CompletionCreateParams.builder().model("gpt-3.5-turbo-instruct")
                        .prompt(PROMPT).build()));
        assertEquals("model_not_found", other.code().orElseThrow());
        assertTrue(other.getMessage().contains("this server serves 'charlm-default'"), other.getMessage());
        // Chat clients are told why there is no chat.
        NotFoundException chat = assertThrows(NotFoundException.class, () -> openai.chat().completions().create(
                ChatCompletionCreateParams.builder().model("charlm-default").addUserMessage("hello").build()));
        assertTrue(chat.getMessage().contains("not a chat model"), chat.getMessage());
    }

    @Test
    void modelsListTheServedModel() {
        List<Model> models = openai.models().list().data();
        assertEquals(1, models.size());
        assertEquals("charlm-default", models.get(0).id());
        assertEquals("charlm-default", openai.models().retrieve("charlm-default").id());
        assertThrows(NotFoundException.class, () -> openai.models().retrieve("gpt-4"));
    }

    @Test
    void theApiKeyIsAskedForOnV1AndNowhereElse() throws Exception {
        OpenAIClient wrong = OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey("sk-wrong").maxRetries(0).build();
        try {
            UnauthorizedException e = assertThrows(UnauthorizedException.class,
                    () -> wrong.completions().create(params(PROMPT).build()));
            assertEquals("invalid_api_key", e.code().orElseThrow());
            assertThrows(UnauthorizedException.class, () -> wrong.models().list());
        } finally {
            wrong.close();
        }
        HttpClient http = HttpClient.newHttpClient();
        URI root = URI.create(baseUrl.replace("/v1", ""));
        HttpResponse<String> generate = http.send(HttpRequest.newBuilder(root.resolve("/v1/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, generate.statusCode());
        assertEquals("Bearer", generate.headers().firstValue("WWW-Authenticate").orElse(""));
        for (String open : List.of("/health", "/", "/playground.js")) {
            assertEquals(200, http.send(HttpRequest.newBuilder(root.resolve(open)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), open);
        }
    }

    @Test
    void langChain4jLanguageModelsCompleteAndStream() throws Exception {
        OpenAiLanguageModel lm = OpenAiLanguageModel.builder().baseUrl(baseUrl).apiKey(KEY)
                .modelName("charlm-default").temperature(0.0).timeout(Duration.ofSeconds(30)).build();
        Response<String> r = lm.generate(PROMPT);
        // No max_tokens from LangChain4j: OpenAI's default of 16.
        assertEquals(greedy(PROMPT, 16), r.content());
        assertEquals(16, r.tokenUsage().outputTokenCount());
        assertEquals(FinishReason.LENGTH, r.finishReason());

        OpenAiStreamingLanguageModel streaming = OpenAiStreamingLanguageModel.builder().baseUrl(baseUrl).apiKey(KEY)
                .modelName("charlm-default").temperature(0.0).timeout(Duration.ofSeconds(30)).build();
        StringBuilder tokens = new StringBuilder();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        streaming.generate(PROMPT, new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                tokens.append(token);
            }

            @Override
            public void onComplete(Response<String> response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        Response<String> streamed = done.get(60, TimeUnit.SECONDS);
        assertEquals(greedy(PROMPT, 16), tokens.toString());
        assertEquals(tokens.toString(), streamed.content());
    }

    @Test
    void unknownPathsUnderV1AnswerInOpenAisShape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/embeddings"))
                .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
        JsonNode error = new ObjectMapper().readTree(r.body()).get("error");
        assertTrue(error.get("message").asText().contains("no such endpoint /v1/embeddings"), r.body());
        assertEquals("invalid_request_error", error.get("type").asText());
    }

    /** README's Java example, as it is there but for the server's address. */
    static Completion readmeExample(String baseUrl) {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl).apiKey("unused").build();  // --api-key sets a real one
        Completion c = client.completions().create(CompletionCreateParams.builder()
                .model("charlm-default").prompt("the time traveller").maxTokens(40).temperature(0.0).build());
        System.out.println(c.choices().get(0).text());
        return c;
    }

    /** The fenced blocks of a language in a Markdown file of the project. */
    static List<String> blocks(String file, String language) throws Exception {
        String md = Files.readString(Path.of(System.getProperty("charlm.root"), file));
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL)
                .matcher(md);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static String squeezed(String code) {
        return code.replaceAll("\\s+", " ").trim();
    }

    @Test
    void theDocumentedExamplesRunAgainstAServer() throws Exception {
        try (HttpApi open = new HttpApi(model, new HttpApi.Limits(4, 1 << 20, 5000, 30_000))) {
            String address = "http://127.0.0.1:" + open.start("127.0.0.1", 0).getPort();
            List<String> javaBlocks = blocks("README.md", "java").stream().filter(b -> b.contains("OpenAIOkHttpClient")).toList();
            assertEquals(1, javaBlocks.size(), "README has one openai-java example");
            String source = Files.readString(Path.of(System.getProperty("charlm.root"),
                    "native-app/src/test/java/dev/charlm/app/OpenAiClientsTest.java"));
            assertTrue(squeezed(source).contains(squeezed(javaBlocks.get(0).replace("\"http://127.0.0.1:8080/v1\"", "baseUrl"))),
                    "README's Java example is readmeExample's body");
            assertEquals(greedy(PROMPT, 40), readmeExample(address + "/v1").choices().get(0).text());

            List<String> curls = new ArrayList<>();
            for (String file : List.of("README.md", "docs/app.md")) {
                blocks(file, "sh").stream().filter(b -> b.contains("curl ") && b.contains("/v1/completions"))
                        .forEach(curls::add);
            }
            assertTrue(curls.size() >= 2, curls.toString());
            for (String block : curls) {
                Process p = new ProcessBuilder("bash", "-euo", "pipefail", "-c",
                        block.replace("http://127.0.0.1:8080", address)).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.waitFor(), block + "\n" + out);
                assertTrue(out.contains("\"text_completion\"") && !out.contains("\"error\""), block + "\n" + out);
                if (block.contains("\"max_tokens\": 40, \"temperature\": 0}")) {
                    assertEquals(greedy(PROMPT, 40), new ObjectMapper().readTree(out).at("/choices/0/text").asText());
                }
            }
        }
    }
}
