package io.benchline.webhooks;

import com.sun.net.httpserver.HttpServer;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for deployment-service's {@code GET /internal/v1/hooks/{hook_id}}: answers 200 {hook_id, org_id, secret}
 * for registered hooks and 404 otherwise, after checking the internal token. Hooks whose id starts with
 * {@link #FAILING_PREFIX} answer 500, those starting with {@link #SLOW_PREFIX} answer only after {@link #SLOW_MILLIS}.
 */
public class FakeDeploymentService implements QuarkusTestResourceLifecycleManager {
    /** The secret the GitHub fixtures were signed with (fixtures README, signature-vectors.json). */
    public static final String SECRET = "It's a Secret to Everybody";
    public static final String GITHUB_HOOK = "hk_github_fixture";
    public static final String GITLAB_HOOK = "hk_gitlab_fixture";
    public static final String ORG = "org_01jdtestorganizationwebhk0";
    /** A hook of another organization, with the same secret (two tenants watching one repository). */
    public static final String OTHER_ORG_HOOK = "hk_github_other_org";
    public static final String OTHER_ORG = "org_01jdotherorganizationwebh0";
    public static final String FAILING_PREFIX = "hk_failing_";
    public static final String SLOW_PREFIX = "hk_slow_";
    public static final long SLOW_MILLIS = 3_000;
    public static final Map<String, String> SECRETS = new ConcurrentHashMap<>(Map.of(GITHUB_HOOK, SECRET, GITLAB_HOOK,
            SECRET, OTHER_ORG_HOOK, SECRET));
    public static final AtomicInteger LOOKUPS = new AtomicInteger();
    private static final String PATH = "/internal/v1/hooks/";
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext(PATH, exchange -> {
            try (exchange) {
                LOOKUPS.incrementAndGet();
                String hookId = exchange.getRequestURI().getPath().substring(PATH.length());
                int status;
                String answer;
                if (!"GET".equals(exchange.getRequestMethod())) {
                    status = 405;
                    answer = "{\"status\":405}";
                } else if (!BenchlineInfra.INTERNAL_TOKEN.equals(
                        exchange.getRequestHeaders().getFirst("X-Benchline-Internal-Token"))) {
                    status = 401;
                    answer = "{\"status\":401,\"detail\":\"bad internal token\"}";
                } else if (hookId.startsWith(FAILING_PREFIX)) {
                    status = 500;
                    answer = "{\"status\":500}";
                } else {
                    if (hookId.startsWith(SLOW_PREFIX)) {
                        sleep(SLOW_MILLIS);
                    }
                    String secret = hookId.startsWith(SLOW_PREFIX) ? SECRET : SECRETS.get(hookId);
                    if (secret == null) {
                        status = 404;
                        answer = "{\"status\":404,\"title\":\"Not Found\"}";
                    } else {
                        status = 200;
                        answer = "{\"hook_id\":\"" + hookId + "\",\"org_id\":\"" + (OTHER_ORG_HOOK.equals(hookId) ? OTHER_ORG : ORG) + "\",\"secret\":\""
                                + secret.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
                    }
                }
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type",
                        status == 200 ? "application/json" : "application/problem+json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            } catch (IOException e) {
                // the client gave up (timeout test)
            }
        });
        server.start();
        return Map.of("benchline.services.deployment-url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
