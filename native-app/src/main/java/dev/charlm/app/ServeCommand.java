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

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new InvalidFieldException("port", "must be in [0, 65535], got " + port);
        }
        if (shutdownGrace < 0) {
            throw new InvalidFieldException("shutdown_grace", "must be >= 0, got " + shutdownGrace);
        }
        HttpApi.Limits limits = serverLimits.limits();
        if (new InetSocketAddress(host, 0).isUnresolved()) {
            throw new UsageError("--host " + host + ": no such host (the name does not resolve)");
        }
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
                throw new UsageError(host + ":" + port + ": cannot listen there (" + e.getMessage() + ")");
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
}
