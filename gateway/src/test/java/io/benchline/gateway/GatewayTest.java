package io.benchline.gateway;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The gateway against live upstreams (one per service): routing, streaming, long polls, forwarded headers, limits. */
@QuarkusTest
@QuarkusTestResource(Upstreams.class)
class GatewayTest {
    private static final int MB = 1024 * 1024;

    @TestHTTPResource("/")
    URL base;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void everyRouteReachesItsUpstream() throws Exception {
        for (Routes.Route route : Routes.TABLE) {
            String prefix = route.prefix().replace("*", "p_1");
            String path = route.exact() ? prefix : prefix.endsWith("/") ? prefix + "x" : prefix + "/x";
            HttpResponse<String> response = get(path + "?q=1");
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Upstream")).as(path).contains(route.upstream().service());
            assertThat(response.body()).as(path).isEqualTo(route.upstream().service() + " GET " + path + "?q=1");
        }
        assertThat(get("/v2/keys").headers().firstValue("X-Upstream")).contains("artifact-store");
        assertThat(get("/v2/deployments").headers().firstValue("X-Upstream")).contains("deployment-service");
        assertThat(get("/v2/procedures/p_1/rollouts").headers().firstValue("X-Upstream"))
                .contains("station-dispatcher");
        assertThat(get("/v2/procedures/p_1").headers().firstValue("X-Upstream")).contains("deployment-service");
    }

    @Test
    void theDashboardTakesTheRootExactlyAndItsOwnPrefixes() throws Exception {
        for (String path : new String[] {"/", "/?next=1", "/sign-in", "/sign-out", "/procedures", "/procedures/p_1",
                "/deployments/dep_1", "/deployments/dep_1/files/src/main.py", "/static/dashboard.css"}) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Upstream")).as(path).contains("dashboard");
            assertThat(response.body()).as(path).isEqualTo("dashboard GET " + path);
        }
        // Not below / (no catch-all), not the API's paths of the same names, not a longer name.
        for (String path : new String[] {"/x", "/index.html", "/static", "/sign-inx", "/proceduresx",
                "/internal/v1/hooks/hk_1", "/q/dev", "/q/health"}) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertProblem(response, 404);
            assertThat(response.headers().firstValue("X-Upstream")).as(path).isEmpty();
        }
        assertThat(get("/v2/procedures").headers().firstValue("X-Upstream")).contains("deployment-service");
        assertThat(get("/v2/deployments/dep_1").headers().firstValue("X-Upstream")).contains("deployment-service");
    }

    /** The dashboard's error pages are its own (HTML for a browser); only a bare error of its HTTP layer gets a problem. */
    @Test
    void theDashboardKeepsItsOwnErrorPages() throws Exception {
        for (int status : new int[] {400, 401, 403, 404, 502}) {
            HttpResponse<String> page = get("/procedures/bare?status=" + status);
            assertThat(page.statusCode()).isEqualTo(status);
            assertThat(page.headers().firstValue("Content-Type")).contains("text/plain");
            assertThat(page.body()).isEqualTo("bare error");
        }
        HttpResponse<String> bare = get("/sign-in/empty?status=413");
        assertThat(bare.statusCode()).isEqualTo(413);
        assertProblem(bare, 413);
        // The API's routes keep turning such answers into problems.
        assertProblem(get("/v2/stations/empty?status=413"), 413);
    }

    @Test
    void requestsTakeTheInstancesOfAServiceInTurn() throws Exception {
        java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = get("/v2/deployments/x");
            assertThat(response.statusCode()).isEqualTo(200);
            seen.merge(response.headers().firstValue("X-Instance").orElse("?"), 1, Integer::sum);
        }
        assertThat(seen).containsOnlyKeys("1", "2");
        assertThat(seen.values()).allSatisfy(n -> assertThat(n).isBetween(4, 6));
    }

    @Test
    void internalUnknownAndEscapingPathsAreNotFound() throws Exception {
        for (String path : new String[] {"/internal/v1/hooks/hk_1", "/x", "/favicon.ico", "/v2/keysx", "/v2/unknown", "/webhooks",
                "/q/health", "/q/openapi", "/q/metrics", "/webhooks/../internal/v1/hooks/x",
                "/webhooks/%2e%2e/internal/v1/hooks/x", "/v2/stations/.%2E/.%2e/internal/v1/hooks/x",
                "/webhooks/github/..;/..;/internal/v1/hooks/x", "/v2/stations/.", "/webhooks/a%2F..%2Finternal",
                "/webhooks/a%5c..%5cinternal"}) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertProblem(response, 404);
            assertThat(response.headers().firstValue("X-Upstream")).as(path).isEmpty();
        }
    }

    @Test
    void requestsVertxCannotRouteAreBadRequests() throws Exception {
        // java.net.URI refuses to build these, so they go out by hand. Vert.x answers a broken escape itself.
        for (String path : new String[] {"/webhooks/%zz", "/v2/stations/%", "/v2/procedures/x%4", "/agent/v1/%u0000"}) {
            assertThat(raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")).as(path).startsWith("HTTP/1.1 400")
                    .contains("application/problem+json").contains("\"status\":400")
                    .doesNotContainIgnoringCase("X-Upstream");
        }
        assertThat(raw("GET /webhooks/github/echo HTTP/1.1\r\n")).startsWith("HTTP/1.1 400")
                .contains("application/problem+json").contains("\"status\":400").doesNotContainIgnoringCase("X-Upstream");
    }

    @Test
    void longTargetsAndHeadersAreRefusedWithProblems() throws Exception {
        // max-uri-length 4000 and max-header-size 16K (GatewayConfig's defaults); Vert.x's own limits are 64K
        String fits = "/v2/stations/echo?q=" + "a".repeat(4000 - "/v2/stations/echo?q=".length());
        assertThat(raw("GET " + fits + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")).startsWith("HTTP/1.1 200");
        for (int length : new int[] {4001, 20_000, 60_000}) {
            String answer = raw("GET /v2/stations/" + "a".repeat(length - "/v2/stations/".length())
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            assertThat(answer).as("%d characters", length).startsWith("HTTP/1.1 414")
                    .contains("application/problem+json").contains("\"status\":414").doesNotContainIgnoringCase("X-Upstream");
        }
        for (int size : new int[] {17 * 1024, 60_000}) {
            String answer = raw("GET /v2/stations/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Junk: " + "j".repeat(size) + "\r\n");
            assertThat(answer).as("%d bytes of headers", size).startsWith("HTTP/1.1 431")
                    .contains("application/problem+json").contains("\"status\":431").doesNotContainIgnoringCase("X-Upstream");
        }
    }

    @Test
    void aReadOnAConnectionTheUpstreamClosedIsSentAgain() throws Exception {
        int closedBefore = Upstreams.CLOSED_REUSED.get();
        for (int i = 0; i < 5; i++) {
            assertThat(get("/v2/keys/echo").statusCode()).isEqualTo(200); // leaves a pooled connection
            HttpResponse<String> read = get("/v2/keys/closing?id=" + java.util.UUID.randomUUID());
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        }
        // The upstream did close reused connections under the reads, so the second attempts were what answered.
        assertThat(Upstreams.CLOSED_REUSED.get()).isGreaterThan(closedBefore);
    }

    /**
     * A client that hangs up while its answer is still being written must not cost another request its upstream
     * connection: the proxy resets the upstream exchange when writing to the client fails, and a reset of an exchange
     * that was already complete closed its connection after the pool had handed it to the next request (a 502).
     */
    @Test
    void clientsThatHangUpEarlyCostNoOtherRequestItsUpstream() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ConcurrentLinkedQueue<String> failed = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
        Thread writer = new Thread(() -> {
            while (!done.get()) {
                try {
                    HttpResponse<String> write = client.send(request("/v2/keys/echo")
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                    writes.incrementAndGet();
                    if (write.statusCode() != 200) {
                        failed.add(write.statusCode() + " " + write.body());
                    }
                } catch (Exception e) {
                    failed.add(e.toString());
                }
            }
        });
        writer.start();
        try {
            for (int i = 0; i < 300; i++) {
                try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
                    socket.setSoLinger(true, 0);
                    socket.getOutputStream().write(("GET /v2/keys/download?bytes=" + (64 * 1024 + i * 512)
                            + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    assertThat(socket.getInputStream().read()).isNotNegative(); // the answer has begun
                } // closed with a reset, most of the answer unread
            }
        } finally {
            done.set(true);
            writer.join();
        }
        assertThat(writes.get()).isPositive();
        assertThat(failed).as("answers to the writes sent meanwhile").isEmpty();
    }

    @Test
    void aWriteOnAConnectionTheUpstreamClosedIsNotSentAgain() throws Exception {
        boolean dropped = false;
        for (int i = 0; i < 5 && !dropped; i++) {
            assertThat(get("/v2/keys/echo").statusCode()).isEqualTo(200);
            int closedBefore = Upstreams.CLOSED_REUSED.get();
            HttpResponse<String> write = client.send(request("/v2/keys/closing?id=" + java.util.UUID.randomUUID())
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            dropped = Upstreams.CLOSED_REUSED.get() > closedBefore;
            // The upstream may have seen a POST it closed the connection on: only the client may decide to resend.
            assertThat(write.statusCode()).as(write.body()).isEqualTo(dropped ? 502 : 200);
        }
        assertThat(dropped).as("a POST went out on a reused connection the upstream closed").isTrue();
    }

    @Test
    void upstreamErrorsWithoutAProblemBodyGetOne() throws Exception {
        for (int status : new int[] {400, 404, 405, 406, 413, 414, 415, 431, 500, 503}) {
            HttpResponse<String> response = get("/v2/stations/bare?status=" + status);
            assertThat(response.statusCode()).isEqualTo(status);
            assertProblem(response, status);
            assertThat(response.body()).doesNotContain("bare error");
            assertThat(response.headers().firstValue("Allow")).contains("GET");
        }
        // An upstream's own problem body passes untouched, and so does a success.
        HttpResponse<String> own = get("/v2/deployments/problem?status=409");
        assertThat(own.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(own.body()).getString("type")).isEqualTo("https://benchline.io/problems/upstream-own");
        assertThat(get("/v2/keys/x").statusCode()).isEqualTo(200);
    }

    private String raw(String head) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
            socket.getOutputStream().write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void healthEndpointsAreTheGatewaysOwn() throws Exception {
        assertThat(get("/q/health/ready").statusCode()).isEqualTo(200);
        assertThat(get("/q/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void streamsALargeUploadToTheUpstream() throws Exception {
        byte[] body = pattern(20 * MB);
        // Chunked (no Content-Length) and with Content-Length.
        HttpResponse<String> chunked = client.send(request("/webhooks/github/echo")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> sized = client.send(request("/webhooks/github/echo")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        for (HttpResponse<String> response : java.util.List.of(chunked, sized)) {
            assertThat(response.statusCode()).isEqualTo(200);
            JsonObject echo = new JsonObject(response.body());
            assertThat(echo.getLong("size")).isEqualTo(body.length);
            assertThat(echo.getString("sha256")).isEqualTo(sha256(body));
        }
        assertThat(new JsonObject(chunked.body()).getJsonObject("headers").getJsonArray("transfer-encoding"))
                .containsExactly("chunked");
    }

    @Test
    void streamsALargeDownloadFromTheUpstream() throws Exception {
        long bytes = 64L * MB;
        HttpResponse<InputStream> response = client.send(request("/v2/deployments/dep_1/download?bytes=" + bytes)
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        long offset = 0;
        long mismatches = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; offset += n) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != (byte) ((offset + i) % Upstreams.PATTERN)) {
                        mismatches++;
                    }
                }
            }
        }
        assertThat(offset).isEqualTo(bytes);
        assertThat(mismatches).isZero();
    }

    @Test
    void aLongPollIsHeldOpenUntilTheUpstreamAnswers() throws Exception {
        HttpResponse<String> response = get("/agent/v1/assignments/wait?ms=3000&wait=55");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("waited");
    }

    @Test
    void anEventStreamReachesTheClientBeforeItEnds() throws Exception {
        HttpResponse<InputStream> response = client.send(request("/agent/v1/events").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            // The upstream holds the last event back until released: the first must arrive on its own.
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> readLine(lines));
            assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo("data: first");
            Upstreams.releaseEvents();
            assertThat(readLine(lines)).isEmpty();
            assertThat(readLine(lines)).isEqualTo("data: last");
        }
    }

    /** The dashboard's relay of a build log, as the API's own stream: each event as it comes. */
    @Test
    void theDashboardsLogStreamReachesTheClientBeforeItEnds() throws Exception {
        HttpResponse<InputStream> response = client.send(request("/deployments/dep_1/logs/stream?hold=dashboard")
                .header("Accept", "text/event-stream").header("Last-Event-ID", "7").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Upstream")).contains("dashboard");
        assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> readLine(lines));
            assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo("data: first");
            Upstreams.releaseEvents("dashboard");
            assertThat(readLine(lines)).isEmpty();
            assertThat(readLine(lines)).isEqualTo("data: last");
        }
    }

    @Test
    void replacesForwardedHeadersTheClientSent() throws Exception {
        HttpResponse<String> response = client.send(request("/v2/stations/echo")
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Forwarded-Host", "evil.example")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Port", "443")
                .header("X-Forwarded-Prefix", "/evil")
                .header("Forwarded", "for=6.6.6.6;host=evil.example;proto=https")
                .header("Authorization", "Bearer blk_test")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject headers = new JsonObject(response.body()).getJsonObject("headers");
        assertThat(headers.getJsonArray("x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(headers.getJsonArray("x-forwarded-host")).containsExactly("127.0.0.1:" + base.getPort());
        assertThat(headers.getJsonArray("x-forwarded-proto")).containsExactly("http");
        assertThat(headers.getJsonArray("x-forwarded-port")).containsExactly(Integer.toString(base.getPort()));
        assertThat(headers.containsKey("forwarded")).isFalse();
        assertThat(headers.containsKey("x-forwarded-prefix")).isFalse();
        assertThat(headers.getJsonArray("authorization")).containsExactly("Bearer blk_test");
        assertThat(headers.getJsonArray("host").getString(0)).doesNotContain(Integer.toString(base.getPort()));
    }

    @Test
    void refusesAnOversizedBodyWithOrWithoutContentLength() throws Exception {
        byte[] body = pattern(26 * MB);
        HttpResponse<String> sized = client.send(request("/webhooks/github/echo")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> chunked = client.send(request("/webhooks/github/echo")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        for (HttpResponse<String> response : java.util.List.of(sized, chunked)) {
            assertThat(response.statusCode()).isEqualTo(413);
            assertProblem(response, 413);
        }
        // Just under the limit passes.
        HttpResponse<String> limit = client.send(request("/webhooks/github/echo")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body, 0, 25 * MB)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(limit.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(limit.body()).getLong("size")).isEqualTo(25L * MB);
    }

    @Test
    void eachRouteTakesAtMostItsServicesBodyLimit() throws Exception {
        // deployment-service and the dashboard take 256 KB, station-dispatcher 1 MB here (GatewayConfig's defaults)
        java.util.Map<String, int[]> limits = java.util.Map.of("/v2/procedures/echo", new int[] {256 * 1024},
                "/v2/stations/echo", new int[] {MB}, "/sign-in/echo", new int[] {256 * 1024});
        for (var route : limits.entrySet()) {
            int limit = route.getValue()[0];
            byte[] over = pattern(limit + 1);
            for (boolean chunked : new boolean[] {false, true}) {
                HttpResponse<String> refused = client.send(request(route.getKey()).POST(chunked
                                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(over))
                                : HttpRequest.BodyPublishers.ofByteArray(over)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as("%s chunked=%s", route.getKey(), chunked).isEqualTo(413);
                assertProblem(refused, 413);
                assertThat(refused.headers().firstValue("X-Upstream")).isEmpty();
            }
            HttpResponse<String> passed = client.send(request(route.getKey())
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(over, 0, limit)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(passed.statusCode()).isEqualTo(200);
            assertThat(new JsonObject(passed.body()).getLong("size")).isEqualTo(limit);
        }
    }

    static void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonObject problem = new JsonObject(response.body());
        assertThat(problem.getString("type")).startsWith("https://benchline.io/problems/");
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("detail")).isNotBlank();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + base.getPort() + path));
    }

    private static String readLine(BufferedReader lines) {
        try {
            return lines.readLine();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i % Upstreams.PATTERN);
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        MessageDigest digest = Upstreams.sha256();
        return HexFormat.of().formatHex(digest.digest(bytes));
    }
}
