package dev.charlm.app;

import picocli.CommandLine.Option;

/** What one request and one client may cost the server ({@link HttpApi.Limits}, which owns the rules). */
public class ServerLimitsMixin {

    @Option(names = "--max-concurrent", defaultValue = "8",
            description = "Requests computing at once (scoring takes at most a quarter). Default: ${DEFAULT-VALUE}.")
    int maxConcurrent;

    @Option(names = "--max-body-bytes", defaultValue = "4194304",
            description = "Largest request body; the default scores within the default --score-timeout on two cores."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxBodyBytes;

    @Option(names = "--max-characters", defaultValue = "10000",
            description = "Largest number of characters a request may ask to generate. Default: ${DEFAULT-VALUE}.")
    int maxCharacters;

    @Option(names = "--max-prompt-characters", defaultValue = "20000", description = "Longest prompt. Default: ${DEFAULT-VALUE}.")
    int maxPromptCharacters;

    @Option(names = "--max-stops", defaultValue = "16", description = "Most stop strings per request. Default: ${DEFAULT-VALUE}.")
    int maxStops;

    @Option(names = "--max-parts", defaultValue = "256", description = "Most files per scoring request. Default: ${DEFAULT-VALUE}.")
    int maxParts;

    @Option(names = "--max-connections", defaultValue = "256",
            description = "Most open connections; past it a new one closes the oldest idle one. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--read-timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "Longest a connection may take to deliver a whole request, from opening or from its previous"
                    + " answer; slower senders and idle connections are closed. Default: ${DEFAULT-VALUE}.")
    int readTimeout;

    @Option(names = "--score-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Longest a scoring request computes before its work is stopped (503). Default: ${DEFAULT-VALUE}.")
    int scoreTimeout;

    /** The bounds asked for; a request waits at most 2 s for a slot. */
    HttpApi.Limits limits() {
        return new HttpApi.Limits(maxConcurrent, maxBodyBytes, maxCharacters, 2_000, maxPromptCharacters, maxStops,
                maxParts, maxConnections, readTimeout, scoreTimeout * 1000L);
    }
}
