package io.benchline.stack;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The local gateway passes requests through unchanged and answers problem JSON when it cannot. */
class GatewayTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer upstream;
    private Gateway gateway;
    private int port;

    @BeforeEach
    void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/v2/stations", exchange -> {
            byte[] body = ("seen " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Location", "/v2/stations/stn_1");
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.createContext("/agent/", exchange -> {
            // Hangs up without an answer, as a service killed mid-request does.
            exchange.close();
        });
        upstream.start();
        int up = upstream.getAddress().getPort();
        port = Ports.free();
        gateway = Gateway.start(port, Map.of("/v2/stations", URI.create("http://127.0.0.1:" + up),
                "/agent/", URI.create("http://127.0.0.1:" + up),
                "/webhooks/", URI.create("http://127.0.0.1:" + Ports.free())));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.stop(0);
    }

    @Test
    void passesMethodPathQueryBodyStatusAndHeaders() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v2/stations?limit=2"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).contains("/v2/stations/stn_1");
        assertThat(response.body()).isEqualTo("seen POST /v2/stations?limit=2 {\"name\":\"bench\"}");
    }

    @Test
    void unknownPathsAndDotSegmentsAreRefused() throws Exception {
        assertThat(status("/q/health")).isEqualTo(404);
        assertThat(status("/internal/v1/hooks/x")).isEqualTo(404);
        assertThat(status("/webhooks/../internal/v1/hooks/x")).isEqualTo(400);
        assertThat(status("/webhooks/%2e%2e/internal/v1/hooks/x")).isEqualTo(400);
        assertThat(status("/webhooks/%zz")).isEqualTo(400);
    }

    @Test
    void aServiceThatIsDownOrDiesAnswersProblemJson() throws Exception {
        HttpResponse<String> down = get("/webhooks/github/hk_1");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("Content-Type")).contains("application/problem+json");
        HttpResponse<String> died = get("/agent/v1/assignments");
        assertThat(died.statusCode()).isEqualTo(502);
        assertThat(died.headers().firstValue("Content-Type")).contains("application/problem+json");
    }

    private int status(String rawPath) throws Exception {
        // A raw socket: java.net.URI would normalize or refuse these paths before they leave the client.
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET " + rawPath + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String statusLine = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
