package dev.charlm.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.charlm.contract.InvalidFieldException;
import dev.charlm.sdk.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A request to {@code POST /v1/completions}, OpenAI's completions protocol with characters as
 * tokens, read field by field ({@link JsonFields}) and checked against what one request may
 * cost ({@link HttpApi.Limits}). Fields charlm cannot honour are refused by name rather than
 * ignored: a client that asks for {@code best_of} or a penalty must not get something else.
 *
 * @param prompts the texts to continue; each gets {@code n} choices
 * @param maxTokens characters to generate per choice
 * @param temperature 0 for greedy
 * @param topP 1 for no limit
 * @param n choices per prompt
 * @param seed the first choice's sampling seed; choice j of a prompt uses seed + j
 * @param stops stop strings, not included in the text returned
 * @param stream whether the answer is a stream of server-sent events
 * @param includeUsage whether a stream ends with a chunk carrying the usage
 * @param logprobs how many alternatives per position (0-5), or null for no log-probabilities
 * @param echo whether the prompt comes back before the completion
 */
record CompletionRequest(List<String> prompts, int maxTokens, double temperature, double topP, int n, long seed,
        List<String> stops, boolean stream, boolean includeUsage, Integer logprobs, boolean echo) {

    /** Most choices one request may ask for, prompts times n. */
    static final int MAX_CHOICES = 16;
    /** OpenAI's own bound on logprobs. */
    static final int MAX_LOGPROBS = 5;

    private static final Set<String> FIELDS = Set.of("model", "prompt", "max_tokens", "temperature", "top_p", "n",
            "seed", "stop", "stream", "stream_options", "logprobs", "echo", "best_of", "suffix", "logit_bias",
            "presence_penalty", "frequency_penalty", "user");

    CompletionRequest {
        prompts = List.copyOf(prompts);
        stops = List.copyOf(stops);
    }

    /** Choices in the answer: n per prompt. */
    int choices() {
        return prompts.size() * n;
    }

    /**
     * Reads a request for the model served as {@code modelId}.
     *
     * @throws ApiError naming the field at fault
     */
    static CompletionRequest read(JsonNode body, String modelId, HttpApi.Limits limits) {
        JsonFields.onlyKnown(body, FIELDS);
        JsonNode model = body.get("model");
        if (model != null && !model.isNull()) {
            if (!model.isTextual()) {
                throw ApiError.field("model", "field 'model' must be a string");
            }
            if (!model.asText().equals(modelId)) {
                throw new ApiError(404, "model '" + model.asText() + "' is not served here; this server serves '"
                        + modelId + "' (GET /v1/models)", "model", "model_not_found");
            }
        }
        refuseUnsupported(body);
        List<String> prompts = strings(body, "prompt", true);
        if (prompts.isEmpty()) {
            throw ApiError.field("prompt", "field 'prompt' must not be an empty array");
        }
        long promptCharacters = 0;
        for (String p : prompts) {
            promptCharacters += p.length();
        }
        if (promptCharacters > limits.maxPromptCharacters()) {
            throw ApiError.field("prompt", String.format(Locale.ROOT,
                    "field 'prompt' has %,d characters; at most %,d are accepted per request", promptCharacters,
                    limits.maxPromptCharacters()));
        }
        int maxTokens = JsonFields.intField(body, "max_tokens", 0, limits.maxCharacters(), 16);
        int n = JsonFields.intField(body, "n", 1, MAX_CHOICES, 1);
        if (prompts.size() * n > MAX_CHOICES) {
            throw ApiError.field("n", prompts.size() + " prompts times n = " + n + " asks for " + prompts.size() * n
                    + " choices; at most " + MAX_CHOICES + " per request");
        }
        List<String> stops = strings(body, "stop", false);
        if (stops.size() > limits.maxStops()) {
            throw ApiError.field("stop", "field 'stop' has " + stops.size() + " strings; at most " + limits.maxStops()
                    + " are accepted");
        }
        for (String s : stops) {
            if (s.length() > HttpApi.Limits.MAX_STOP_LENGTH) {
                throw ApiError.field("stop", "stop strings must be at most " + HttpApi.Limits.MAX_STOP_LENGTH
                        + " characters long");
            }
        }
        boolean stream = bool(body, "stream");
        boolean includeUsage = false;
        JsonNode streamOptions = body.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull()) {
            if (!stream) {
                throw ApiError.field("stream_options", "field 'stream_options' is only allowed with \"stream\": true");
            }
            if (!streamOptions.isObject()) {
                throw ApiError.field("stream_options", "field 'stream_options' must be an object");
            }
            JsonFields.onlyKnown(streamOptions, Set.of("include_usage"));
            includeUsage = bool(streamOptions, "include_usage");
        }
        JsonNode lp = body.get("logprobs");
        Integer logprobs = lp == null || lp.isNull() ? null
                : JsonFields.intField(body, "logprobs", 0, MAX_LOGPROBS, 0);
        Long seed = JsonFields.integer(body, "seed", Long.MIN_VALUE, Long.MAX_VALUE, null);
        CompletionRequest request = new CompletionRequest(prompts, maxTokens, JsonFields.number(body, "temperature", 1),
                JsonFields.number(body, "top_p", 1), n, seed != null ? seed : ThreadLocalRandom.current().nextLong(),
                stops, stream, includeUsage, logprobs, bool(body, "echo"));
        try {
            request.options(0); // the values' own rules, checked before anything is computed
        } catch (InvalidFieldException e) {
            throw ApiError.field(e.field(), e.renderedAs("field '" + e.field() + "'"));
        }
        return request;
    }

    /** The sdk's options for choice {@code j} of a prompt. */
    GenerationOptions options(int j) {
        return GenerationOptions.builder().maxCharacters(maxTokens).temperature(temperature).topP(topP)
                .seed(seed + j).stopStrings(stops).logprobs(logprobs == null ? -1 : logprobs).build();
    }

    /** Fields of OpenAI's that charlm cannot honour, refused unless they ask for the default. */
    private static void refuseUnsupported(JsonNode body) {
        if (JsonFields.intField(body, "best_of", 1, Integer.MAX_VALUE, 1) > 1) {
            throw ApiError.field("best_of", "best_of > 1 is not supported: ask for n choices (each with its"
                    + " logprobs) and pick among them");
        }
        JsonNode suffix = body.get("suffix");
        if (suffix != null && !suffix.isNull() && !(suffix.isTextual() && suffix.asText().isEmpty())) {
            throw ApiError.field("suffix", "suffix is not supported: charlm's models continue text; they were not"
                    + " trained to fill in before a suffix");
        }
        JsonNode bias = body.get("logit_bias");
        if (bias != null && !bias.isNull() && !(bias.isObject() && bias.isEmpty())) {
            throw ApiError.field("logit_bias", "logit_bias is not supported (its keys would be token ids of a"
                    + " tokenizer charlm does not have)");
        }
        for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
            if (JsonFields.number(body, penalty, 0) != 0) {
                throw ApiError.field(penalty, penalty + " is not supported; only 0 is accepted");
            }
        }
        JsonNode user = body.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) {
            throw ApiError.field("user", "field 'user' must be a string");
        }
    }

    /** A string or an array of strings; absent or null is an empty list unless required. */
    private static List<String> strings(JsonNode body, String field, boolean required) {
        JsonNode node = body.get(field);
        String shape = "field '" + field + "' must be a string or an array of strings";
        if (node == null || node.isNull()) {
            if (required) {
                throw ApiError.field(field, "field '" + field + "' is required");
            }
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (!node.isArray()) {
            throw ApiError.field(field, shape);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw ApiError.field(field, shape + (item.isNumber() || item.isArray()
                        ? " (token ids are not accepted: charlm's tokens are characters; send the text)" : ""));
            }
            out.add(item.asText());
        }
        return out;
    }

    private static boolean bool(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw ApiError.field(field, "field '" + field + "' must be true or false");
        }
        return node.asBoolean();
    }
}
