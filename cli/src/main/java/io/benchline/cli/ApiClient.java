package io.benchline.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Minimal client for the public {@code /v2} API with a Bearer API key. */
public final class ApiClient {
    private final String baseUrl;
    private final String apiKey;
    private final HttpClient http;

    public ApiClient(String baseUrl, String apiKey) {
        this.baseUrl = stripTrailingSlashes(baseUrl);
        this.apiKey = apiKey;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** GET {@code path} (starting with /), answers the body; non-2xx throws with status and body. */
    public String get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", "application/json")
                .GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("GET " + path + " answered HTTP " + response.statusCode() + ": "
                        + abbreviate(response.body()));
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("GET ")) {
                throw e;
            }
            throw new IOException("GET " + baseUrl + path + " failed: " + Log.describe(e), e);
        }
    }

    public static String stripTrailingSlashes(String url) {
        String s = url.trim();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    static String abbreviate(String body) {
        if (body == null) {
            return "";
        }
        return body.length() > 500 ? body.substring(0, 500) + "…" : body;
    }
}
