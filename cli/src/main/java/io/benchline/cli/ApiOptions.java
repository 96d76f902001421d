package io.benchline.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.Map;

/**
 * The options every command that calls the REST API takes ({@code @Mixin}): flags first, then
 * {@code BENCHLINE_URL} and {@code BENCHLINE_API_KEY}, then what {@code benchline login} saved ({@link CliConfig}).
 */
public final class ApiOptions {
    @Option(names = "--url", description = "Benchline base URL, e.g. http://127.0.0.1:8080 (default: BENCHLINE_URL,"
            + " else the one benchline login saved)")
    String url;

    @Option(names = "--api-key", description = "API key, sent as Bearer token (default: BENCHLINE_API_KEY, else the"
            + " one benchline login saved)")
    String apiKey;

    /** For tests: the environment to read instead of the process's. */
    static volatile Map<String, String> environment = System.getenv();

    ApiClient client() throws IOException {
        Map<String, String> env = environment;
        CliConfig.Settings saved = null;
        String u = first(url, env.get("BENCHLINE_URL"));
        String k = first(apiKey, env.get("BENCHLINE_API_KEY"));
        if (u == null || k == null) {
            saved = CliConfig.read(CliConfig.path(env));
            u = first(u, saved.url());
            k = first(k, saved.apiKey());
        }
        if (u == null) {
            throw new CliConfig.Unconfigured("no Benchline URL: pass --url, set BENCHLINE_URL, or run benchline login");
        }
        if (k == null) {
            throw new CliConfig.Unconfigured("no API key: pass --api-key, set BENCHLINE_API_KEY, or run benchline"
                    + " login");
        }
        return new ApiClient(u, k);
    }

    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
    }
}
