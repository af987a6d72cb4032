package dev.charlm.app;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import io.quarkus.runtime.Quarkus;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code charlm serve}: the HTTP API until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve generation (server-sent events) and scoring over HTTP until interrupted.")
public class ServeCommand implements Callable<Integer> {

    @Mixin
    ModelOptionMixin modelOption;

    @Option(names = "--port", defaultValue = "8080", description = "Default: ${DEFAULT-VALUE} (0: any free port).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--max-concurrent", defaultValue = "8", description = "Requests computed at once. Default: ${DEFAULT-VALUE}.")
    int maxConcurrent;

    @Option(names = "--max-body-bytes", defaultValue = "4194304",
            description = "Largest request body; the default scores within the default --score-timeout on two cores. Default: ${DEFAULT-VALUE}.")
    int maxBodyBytes;

    @Option(names = "--max-characters", defaultValue = "10000", description = "Largest max_characters a request may ask. Default: ${DEFAULT-VALUE}.")
    int maxCharacters;

    @Option(names = "--max-prompt-characters", defaultValue = "20000", description = "Longest prompt. Default: ${DEFAULT-VALUE}.")
    int maxPromptCharacters;

    @Option(names = "--max-stops", defaultValue = "16", description = "Most stop strings per request. Default: ${DEFAULT-VALUE}.")
    int maxStops;

    @Option(names = "--max-parts", defaultValue = "256", description = "Most files per scoring request. Default: ${DEFAULT-VALUE}.")
    int maxParts;

    @Option(names = "--max-connections", defaultValue = "256", description = "Most open connections. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--read-timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "Longest a connection may take to deliver a whole request, from opening or from its previous"
                    + " answer; slower senders and idle connections are closed. Default: ${DEFAULT-VALUE}.")
    int readTimeout;

    @Option(names = "--shutdown-grace", paramLabel = "SECONDS", defaultValue = "10",
            description = "On Ctrl-C or SIGTERM, how long running requests may finish before they are ended. Default: ${DEFAULT-VALUE}.")
    int shutdownGrace;

    @Option(names = "--score-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Longest a scoring request computes before its work is stopped (503). Default: ${DEFAULT-VALUE}.")
    int scoreTimeout;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new UserError("--port must be in [0, 65535], got " + port);
        }
        positive("--max-concurrent", maxConcurrent);
        positive("--max-body-bytes", maxBodyBytes);
        positive("--max-prompt-characters", maxPromptCharacters);
        positive("--max-parts", maxParts);
        positive("--max-connections", maxConnections);
        positive("--read-timeout", readTimeout);
        positive("--score-timeout", scoreTimeout);
        if (shutdownGrace < 0) {
            throw new UserError("--shutdown-grace must be >= 0, got " + shutdownGrace);
        }
        if (maxCharacters < 0 || maxStops < 0) {
            throw new UserError((maxCharacters < 0 ? "--max-characters" : "--max-stops") + " must be >= 0");
        }
        if (new InetSocketAddress(host, 0).isUnresolved()) {
            throw new UserError("--host " + host + ": no such host (the name does not resolve)");
        }
        HttpApi.Limits limits = new HttpApi.Limits(maxConcurrent, maxBodyBytes, maxCharacters, 2_000,
                maxPromptCharacters, maxStops, maxParts, maxConnections, readTimeout, scoreTimeout * 1000L);
        // Generation: one ONNX Runtime thread per call, as the batcher runs one lane per core.
        // Scoring: one thread per core, as a scoring call is one large batch.
        // Ctrl-C or SIGTERM makes Quarkus.waitForExit() return; the drain below then has its grace.
        try (Interruption stop = Interruption.watch(Duration.ofSeconds(2L * shutdownGrace + 15));
                CharModel model = modelOption.load(ModelOptions.defaults());
                CharModel scoring = modelOption.load(ModelOptions.forScoring());
                HttpApi api = new HttpApi(model, scoring, limits)) {
            InetSocketAddress at;
            try {
                at = api.start(host, port);
            } catch (BindException e) {
                throw new UserError(host + ":" + port + ": cannot listen there (" + e.getMessage() + ")");
            }
            System.err.println("charlm serve: " + model + " on http://" + at.getHostString() + ":" + at.getPort()
                    + " (GET /health, POST /v1/generate, POST /v1/score); Ctrl-C stops");
            Quarkus.waitForExit();
            System.err.println("charlm serve: stopping: " + api.requestsInFlight() + " request(s) in flight get up to "
                    + shutdownGrace + " s to finish");
            api.shutdown(Duration.ofSeconds(shutdownGrace));
            return 0;
        }
    }

    private static void positive(String option, int value) throws UserError {
        if (value < 1) {
            throw new UserError(option + " must be positive, got " + value);
        }
    }
}
