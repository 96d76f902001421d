package io.benchline.stack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one public base URL of the local stack: routes by path prefix to the service that owns it and
 * streams bodies both ways. {@code /internal} is never routed. In containers, nginx plays this part
 * with the same table (deploy/gateway/nginx.conf).
 */
public final class Gateway implements AutoCloseable {
    /** Restricted or hop-by-hop headers that must not be copied. */
    private static final Set<String> SKIPPED = Set.of("connection", "content-length", "host", "expect", "upgrade",
            "keep-alive", "transfer-encoding", "te", "trailer", "proxy-connection");

    private final HttpServer server;
    private final HttpClient client;
    private final ExecutorService executor;
    private final Map<String, URI> routes;

    private Gateway(HttpServer server, HttpClient client, ExecutorService executor, Map<String, URI> routes) {
        this.server = server;
        this.client = client;
        this.executor = executor;
        this.routes = routes;
    }

    /** Prefix → upstream base URL, longest prefix first. */
    public static Map<String, URI> routes(int webhook, int deployment, int artifact, int dispatcher) {
        Map<String, URI> routes = new LinkedHashMap<>();
        routes.put("/webhooks/", URI.create("http://127.0.0.1:" + webhook));
        routes.put("/v2/procedures", URI.create("http://127.0.0.1:" + deployment));
        routes.put("/v2/deployments", URI.create("http://127.0.0.1:" + deployment));
        routes.put("/v2/api-keys", URI.create("http://127.0.0.1:" + deployment));
        routes.put("/v2/keys", URI.create("http://127.0.0.1:" + artifact));
        routes.put("/v2/stations", URI.create("http://127.0.0.1:" + dispatcher));
        routes.put("/v2/rollouts", URI.create("http://127.0.0.1:" + dispatcher));
        routes.put("/agent/", URI.create("http://127.0.0.1:" + dispatcher));
        return routes;
    }

    public static Gateway start(int port, Map<String, URI> routes) {
        Ports.requireFree(port, "the gateway");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
            ExecutorService executor = Executors.newFixedThreadPool(32, r -> {
                Thread t = new Thread(r, "gateway");
                t.setDaemon(true);
                return t;
            });
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
            Gateway gateway = new Gateway(server, client, executor, routes);
            server.createContext("/", gateway::handle);
            server.setExecutor(executor);
            server.start();
            return gateway;
        } catch (IOException e) {
            throw new StackException("the gateway cannot listen on port " + port + ": " + e.getMessage(), e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (hasDotSegment(path)) {
                // The service would resolve them and could serve a path the gateway does not route (/internal).
                problem(exchange, 400, "invalid-request", "Bad request", "dot segments are not allowed in paths");
                return;
            }
            URI upstream = route(path);
            if (upstream == null) {
                problem(exchange, 404, "not-found", "Not found", "no Benchline API at " + path);
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            URI target = URI.create(upstream + path + (query == null ? "" : "?" + query));
            HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(10));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!SKIPPED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            request.header("X-Forwarded-Host", String.valueOf(exchange.getRequestHeaders().getFirst("Host")));
            request.header("X-Forwarded-Proto", "http");
            String length = exchange.getRequestHeaders().getFirst("Content-Length");
            String method = exchange.getRequestMethod();
            boolean hasBody = length != null ? !length.equals("0")
                    : exchange.getRequestHeaders().containsKey("Transfer-encoding");
            HttpRequest.BodyPublisher body = !hasBody ? HttpRequest.BodyPublishers.noBody()
                    : length != null
                            ? HttpRequest.BodyPublishers.fromPublisher(
                                    HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody),
                                    Long.parseLong(length))
                            : HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody);
            request.method(method, body);
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (ConnectException e) {
                problem(exchange, 503, "unavailable", "Service unavailable",
                        "the service behind " + path + " is not reachable");
                return;
            } catch (java.net.http.HttpTimeoutException e) {
                problem(exchange, 504, "timeout", "Gateway timeout", "the service behind " + path + " did not answer");
                return;
            } catch (IOException e) {
                problem(exchange, 502, "bad-gateway", "Bad gateway",
                        "the service behind " + path + " failed to answer: " + e.getClass().getSimpleName());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem(exchange, 503, "unavailable", "Service unavailable", "gateway interrupted");
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!SKIPPED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            long responseLength = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            boolean noBody = method.equals("HEAD") || response.statusCode() == 204 || response.statusCode() == 304;
            exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : responseLength == 0 ? -1
                    : responseLength < 0 ? 0 : responseLength);
            try (InputStream in = response.body(); OutputStream out = exchange.getResponseBody()) {
                if (!noBody) {
                    in.transferTo(out);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away or the upstream broke mid-stream: nothing more to send.
        }
    }

    static boolean hasDotSegment(String rawPath) {
        String decoded;
        try {
            decoded = java.net.URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return true; // a broken escape is no path we route either
        }
        for (String segment : decoded.split("[/\\\\]")) {
            if (segment.equals("..") || segment.equals(".")) {
                return true;
            }
        }
        return false;
    }

    private URI route(String path) {
        for (Map.Entry<String, URI> route : routes.entrySet()) {
            String prefix = route.getKey();
            if (path.startsWith(prefix) && (prefix.endsWith("/") || path.length() == prefix.length()
                    || path.charAt(prefix.length()) == '/' || path.charAt(prefix.length()) == '?')) {
                return route.getValue();
            }
        }
        return null;
    }

    private static void problem(HttpExchange exchange, int status, String kind, String title, String detail)
            throws IOException {
        byte[] body = ("{\"type\":\"https://benchline.io/problems/" + kind + "\",\"title\":\"" + title
                + "\",\"status\":" + status + ",\"detail\":\"" + detail.replace("\"", "'") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
