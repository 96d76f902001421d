package io.benchline.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for another Benchline service, as a test resource: a JDK HttpServer on a free loopback port that
 * hands every request to {@link #handle}, and the configuration that points the service under test at it.
 */
public abstract class FakePeer implements QuarkusTestResourceLifecycleManager {
    private HttpServer server;
    private ExecutorService executor;

    /** Answers one request; the exchange is closed afterwards. */
    protected abstract void handle(HttpExchange exchange) throws IOException;

    /** The configuration of the service under test that names this peer's base URL. */
    protected abstract Map<String, String> config(String baseUrl);

    @Override
    public final Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange);
            } catch (IOException e) {
                // the client gave up (timeout tests)
            }
        });
        server.start();
        return config("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /** Whether the request carries the internal token the test configuration gives every service. */
    public static boolean hasInternalToken(HttpExchange exchange) {
        return BenchlineInfra.INTERNAL_TOKEN.equals(exchange.getRequestHeaders().getFirst("X-Benchline-Internal-Token"));
    }

    /** Sends a JSON answer: application/json below 300, application/problem+json otherwise. */
    public static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status < 300 ? "application/json" : "application/problem+json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
