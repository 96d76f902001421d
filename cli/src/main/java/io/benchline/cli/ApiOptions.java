package io.benchline.cli;

import picocli.CommandLine.Option;

/** The options every command that calls the REST API takes ({@code @Mixin}). */
public final class ApiOptions {
    @Option(names = "--url", required = true, description = "Benchline base URL, e.g. http://127.0.0.1:8080")
    String url;

    @Option(names = "--api-key", required = true, description = "API key (sent as Bearer token)")
    String apiKey;

    ApiClient client() {
        return new ApiClient(url, apiKey);
    }
}
