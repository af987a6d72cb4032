package dev.charlm.app;

import dev.charlm.cli.Interruption;
import dev.charlm.cli.ModelMixin;
import dev.charlm.cli.UsageError;
import dev.charlm.contract.InvalidFieldException;
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
    ModelMixin modelOption;

    @Mixin
    ServerLimitsMixin serverLimits;

    @Option(names = "--port", defaultValue = "8080", description = "Default: ${DEFAULT-VALUE} (0: any free port).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--shutdown-grace", paramLabel = "SECONDS", defaultValue = "10",
            description = "On Ctrl-C or SIGTERM, how long running requests may finish before they are ended. Default: ${DEFAULT-VALUE}.")
    int shutdownGrace;

    @Option(names = "--model-id", paramLabel = "NAME",
            description = "The name OpenAI clients send as 'model'. Default: charlm-default or charlm-large for a"
                    + " built-in model (charlm-default-int8 with --precision int8), or the model file's name without .onnx.")
    String modelId;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:CHARLM_API_KEY}",
            description = "Ask every /v1/ request for 'Authorization: Bearer KEY', as OpenAI's clients send it"
                    + " (default: the CHARLM_API_KEY environment variable; unset: no key asked). The page at /"
                    + " and /health stay open.")
    String apiKey;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new InvalidFieldException("port", "must be in [0, 65535], got " + port);
        }
        if (shutdownGrace < 0) {
            throw new InvalidFieldException("shutdown_grace", "must be >= 0, got " + shutdownGrace);
        }
        HttpApi.Limits limits = serverLimits.limits();
        String id = modelId != null ? modelId : modelOption.name();
        if (id.isBlank() || !id.chars().allMatch(ch -> ch > ' ' && ch < 127 && ch != '/')) {
            throw new InvalidFieldException("model_id", "must be printable ASCII without spaces or '/', got '" + id + "'");
        }
        String key = apiKey == null || apiKey.isEmpty() ? null : apiKey;
        if (new InetSocketAddress(host, 0).isUnresolved()) {
            throw new UsageError("--host " + host + ": no such host (the name does not resolve)");
        }
        // Generation: one ONNX Runtime thread per call, as the batcher runs one lane per core.
        // Scoring: one thread per core, as a scoring call is one large batch.
        // Ctrl-C or SIGTERM makes Quarkus.waitForExit() return; the drain below then has its grace.
        try (Interruption stop = Interruption.watch(Duration.ofSeconds(2L * shutdownGrace + 15));
                CharModel model = modelOption.load(ModelOptions.defaults());
                CharModel scoring = modelOption.load(ModelOptions.forScoring());
                HttpApi api = new HttpApi(model, scoring, limits, id, key)) {
            InetSocketAddress at;
            try {
                at = api.start(host, port);
            } catch (BindException e) {
                throw new UsageError(host + ":" + port + ": cannot listen there (" + e.getMessage() + ")");
            }
            System.err.println("charlm serve: " + model + " as '" + id + "' on http://" + at.getHostString() + ":"
                    + at.getPort() + " (a browser there gets the playground; OpenAI clients use /v1; also /v1/generate,"
                    + " /v1/score, /health" + (key != null ? "; /v1/ asks for the API key" : "") + "); Ctrl-C stops");
            Quarkus.waitForExit();
            System.err.println("charlm serve: stopping: " + api.requestsInFlight() + " request(s) in flight get up to "
                    + shutdownGrace + " s to finish");
            api.shutdown(Duration.ofSeconds(shutdownGrace));
            return 0;
        }
    }
}
