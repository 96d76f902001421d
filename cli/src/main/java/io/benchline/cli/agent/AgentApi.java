package io.benchline.cli.agent;

import io.benchline.cli.ApiClient;
import io.benchline.cli.Json;
import io.benchline.cli.Log;
import io.benchline.cli.agent.AgentMessages.Assignments;
import io.benchline.cli.agent.AgentMessages.PointerReport;
import io.benchline.cli.agent.AgentMessages.RunReport;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** HTTP calls of the agent: the agent channel (Bearer agent token) and artifact downloads (presigned, no auth). */
public final class AgentApi {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);

    private final String baseUrl;
    private final String token;
    private final HttpClient http;

    public AgentApi(String baseUrl, String token) {
        this.baseUrl = ApiClient.stripTrailingSlashes(baseUrl);
        this.token = token;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** {@code GET /agent/v1/assignments}. */
    public Assignments assignments() throws IOException {
        HttpResponse<byte[]> response = send(agentRequest("/agent/v1/assignments").GET().build(),
                "GET /agent/v1/assignments");
        return Json.MAPPER.readValue(response.body(), Assignments.class);
    }

    /**
     * An answer of the long-poll: the assignments and their ETag when they differ from the tag sent, or
     * {@code assignments == null} when the wait ended without a change (304). {@code etag == null} on a 200 means
     * the dispatcher has no push channel (it answered at once, without a tag).
     */
    public record Watched(Assignments assignments, String etag) {
    }

    /** {@code GET /agent/v1/assignments?wait=} with {@code If-None-Match}: held until a change or the wait's end. */
    public Watched watch(String etag, Duration wait) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(baseUrl + "/agent/v1/assignments?wait=" + wait.toSeconds()))
                .timeout(wait.plus(CALL_TIMEOUT))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (etag != null) {
            request.header("If-None-Match", "\"" + etag + "\"");
        }
        String what = "GET /agent/v1/assignments (long-poll)";
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " interrupted");
        } catch (IOException e) {
            throw new IOException(what + " at " + baseUrl + " failed: " + Log.describe(e), e);
        }
        String tag = response.headers().firstValue("ETag").map(AgentApi::unquote).orElse(null);
        if (response.statusCode() == 304) {
            return new Watched(null, tag == null ? etag : tag);
        }
        if (response.statusCode() / 100 != 2) {
            throw new ApiException(what, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        }
        return new Watched(Json.MAPPER.readValue(response.body(), Assignments.class), tag);
    }

    private static String unquote(String tag) {
        String t = tag.strip();
        if (t.startsWith("W/")) {
            t = t.substring(2);
        }
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    /** An answer of {@code GET /agent/v1/keys}: the list and its tag, or {@code keys == null} when unchanged (304). */
    public record FetchedKeys(TrustedKeys.KeyList keys, String etag) {
    }

    /** {@code GET /agent/v1/keys} with {@code If-None-Match}: the station's organization's signing keys. */
    public FetchedKeys keys(String etag) throws IOException {
        HttpRequest.Builder request = agentRequest("/agent/v1/keys");
        if (etag != null) {
            request.header("If-None-Match", "\"" + etag + "\"");
        }
        String what = "GET /agent/v1/keys";
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " interrupted");
        } catch (IOException e) {
            throw new IOException(what + " at " + baseUrl + " failed: " + Log.describe(e), e);
        }
        String tag = response.headers().firstValue("ETag").map(AgentApi::unquote).orElse(null);
        if (response.statusCode() == 304) {
            return new FetchedKeys(null, tag == null ? etag : tag);
        }
        if (response.statusCode() / 100 != 2) {
            throw new ApiException(what, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        }
        return new FetchedKeys(TrustedKeys.parse(new String(response.body(), StandardCharsets.UTF_8)), tag);
    }

    /** {@code PUT /agent/v1/pointers/{procedure_id}}: what the agent runs now. */
    public void reportPointer(String procedureId, PointerReport report) throws IOException {
        String path = "/agent/v1/pointers/" + URLEncoder.encode(procedureId, StandardCharsets.UTF_8);
        send(agentRequest(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(report))).build(),
                "PUT " + path);
    }

    /** {@code PUT /agent/v1/pointers/{procedure_id}/state}: what the agent does with a deployment. */
    public void reportPointerState(String procedureId, AgentMessages.PointerState state) throws IOException {
        String path = "/agent/v1/pointers/" + URLEncoder.encode(procedureId, StandardCharsets.UTF_8) + "/state";
        send(agentRequest(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(state))).build(),
                "PUT " + path);
    }

    /** {@code POST /agent/v1/runs}. */
    public void reportRun(RunReport report) throws IOException {
        send(agentRequest("/agent/v1/runs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(report))).build(),
                "POST /agent/v1/runs");
    }

    /**
     * Downloads a presigned URL to {@code target} without any Authorization header (the URL carries
     * its own signature). Stops with an error once more than {@code maxBytes} arrived.
     */
    public void download(String url, Path target, long maxBytes) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(DOWNLOAD_TIMEOUT).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download interrupted");
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                String body = new String(in.readNBytes(2048), StandardCharsets.UTF_8);
                throw new ApiException("artifact download", response.statusCode(), body);
            }
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(target)) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    total += n;
                    if (total > maxBytes) {
                        throw new IOException("artifact download is larger than the expected " + maxBytes + " bytes");
                    }
                    out.write(buffer, 0, n);
                }
            }
        }
    }

    private HttpRequest.Builder agentRequest(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(CALL_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private HttpResponse<byte[]> send(HttpRequest request, String what) throws IOException {
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw new ApiException(what, response.statusCode(),
                        new String(response.body(), StandardCharsets.UTF_8));
            }
            return response;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " interrupted");
        } catch (ApiException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(what + " at " + baseUrl + " failed: " + Log.describe(e), e);
        }
    }
}
