package io.benchline.gateway;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static io.benchline.gateway.GatewayTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream that refuses connections answers 502, one that accepts but never answers 504; both as problem JSON,
 * and the gateway keeps serving afterwards.
 */
@QuarkusTest
@TestProfile(UpstreamFailureTest.Profile.class)
class UpstreamFailureTest {
    /** Accepts connections (the kernel does, from its backlog) and never reads or answers. */
    static final ServerSocket SILENT = silent();
    /** Answers 200 to anything. */
    static final com.sun.net.httpserver.HttpServer ANSWERING = answering();

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "benchline.gateway.webhook-url", "http://127.0.0.1:" + closedPort(),
                    "benchline.gateway.dispatcher-url", "http://127.0.0.1:" + SILENT.getLocalPort(),
                    // Two instances, the first down: every request must reach the second.
                    "benchline.gateway.artifact-url", "http://127.0.0.1:" + closedPort() + ",http://127.0.0.1:"
                            + ANSWERING.getAddress().getPort(),
                    "benchline.gateway.response-timeout", "1s");
        }
    }

    @TestHTTPResource("/")
    URL base;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterAll
    static void closeSilent() throws IOException {
        SILENT.close();
        ANSWERING.stop(0);
    }

    private static com.sun.net.httpserver.HttpServer answering() {
        try {
            com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                byte[] body = "up".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void anInstanceThatRefusesIsSkippedForAnyMethod() throws Exception {
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> write = client.send(HttpRequest.newBuilder(url("/v2/keys/rotate"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(write.statusCode()).as(write.body()).isEqualTo(200);
            assertThat(write.body()).isEqualTo("up");
        }
    }

    @Test
    void aRefusingUpstreamAnswers502() throws Exception {
        HttpResponse<String> response = post("/webhooks/github/hk_1", "{}");
        assertThat(response.statusCode()).isEqualTo(502);
        assertProblem(response, 502);
    }

    @Test
    void aSilentUpstreamAnswers504() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(url("/agent/v1/assignments?wait=55"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(504);
        assertProblem(response, 504);
        // And again, with a body: the connection to the client is still usable.
        HttpResponse<String> again = post("/v2/stations", "{\"name\":\"bench\"}");
        assertThat(again.statusCode()).isEqualTo(504);
        assertProblem(again, 504);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(url(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + base.getPort() + path);
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ServerSocket silent() {
        try {
            return new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
