package io.benchline.webhooks;

import com.sun.net.httpserver.HttpExchange;
import io.benchline.testsupport.FakePeer;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for deployment-service's {@code GET /internal/v1/hooks/{hook_id}}: answers 200 {hook_id, org_id, secret}
 * for registered hooks and 404 otherwise, after checking the internal token. Hooks whose id starts with
 * {@link #FAILING_PREFIX} answer 500, those starting with {@link #SLOW_PREFIX} answer only after {@link #SLOW_MILLIS}.
 */
public class FakeDeploymentService extends FakePeer {
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

    @Override
    protected Map<String, String> config(String baseUrl) {
        return Map.of("benchline.services.deployment-url", baseUrl);
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.startsWith(PATH)) {
            answer(exchange, 404, "{\"status\":404}");
            return;
        }
        LOOKUPS.incrementAndGet();
        String hookId = path.substring(PATH.length());
        if (!"GET".equals(exchange.getRequestMethod())) {
            answer(exchange, 405, "{\"status\":405}");
        } else if (!hasInternalToken(exchange)) {
            answer(exchange, 401, "{\"status\":401,\"detail\":\"bad internal token\"}");
        } else if (hookId.startsWith(FAILING_PREFIX)) {
            answer(exchange, 500, "{\"status\":500}");
        } else {
            if (hookId.startsWith(SLOW_PREFIX)) {
                sleep(SLOW_MILLIS);
            }
            String secret = hookId.startsWith(SLOW_PREFIX) ? SECRET : SECRETS.get(hookId);
            if (secret == null) {
                answer(exchange, 404, "{\"status\":404,\"title\":\"Not Found\"}");
            } else {
                answer(exchange, 200, "{\"hook_id\":\"" + hookId + "\",\"org_id\":\""
                        + (OTHER_ORG_HOOK.equals(hookId) ? OTHER_ORG : ORG) + "\",\"secret\":\""
                        + secret.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
            }
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
