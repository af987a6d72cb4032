package dev.charlm.app;

import dev.charlm.sdk.CharModel;
import dev.charlm.sdk.ModelOptions;
import io.quarkus.runtime.Quarkus;
import java.net.BindException;
import java.net.InetSocketAddress;
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

    @Option(names = "--max-body-bytes", defaultValue = "10485760", description = "Largest request body. Default: ${DEFAULT-VALUE}.")
    int maxBodyBytes;

    @Option(names = "--max-characters", defaultValue = "10000", description = "Largest max_characters a request may ask. Default: ${DEFAULT-VALUE}.")
    int maxCharacters;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535 || maxConcurrent < 1 || maxBodyBytes < 1 || maxCharacters < 0) {
            throw new UserError("--port must be in [0, 65535] and the limits positive");
        }
        // One ONNX Runtime thread per call: the batcher runs one lane (one batched call) per core.
        try (CharModel model = modelOption.load(ModelOptions.defaults());
                HttpApi api = new HttpApi(model, new HttpApi.Limits(maxConcurrent, maxBodyBytes, maxCharacters, 2_000))) {
            InetSocketAddress at;
            try {
                at = api.start(host, port);
            } catch (BindException e) {
                throw new UserError(host + ":" + port + ": cannot listen there (" + e.getMessage() + ")");
            }
            System.err.println("charlm serve: " + model + " on http://" + at.getHostString() + ":" + at.getPort()
                    + " (GET /health, POST /v1/generate, POST /v1/score); Ctrl-C stops");
            Quarkus.waitForExit();
            return 0;
        }
    }
}
