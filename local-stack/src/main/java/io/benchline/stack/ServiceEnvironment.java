package io.benchline.stack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment variables each service needs in a real deployment: what the local stack sets when it
 * starts a service, and what docker-compose.yml must set too (a test holds the two together). Everything
 * else has a default in the service's application.properties.
 */
public final class ServiceEnvironment {
    static final List<String> EVERY_SERVICE = List.of("KAFKA_BOOTSTRAP_SERVERS", "BENCHLINE_AUTH_INTERNAL_TOKEN");
    static final List<String> DATABASE = List.of("QUARKUS_DATASOURCE_REACTIVE_URL", "QUARKUS_DATASOURCE_JDBC_URL",
            "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD");
    static final Map<String, List<String>> OWN = Map.of(
            "webhook-service", List.of("BENCHLINE_SERVICES_DEPLOYMENT_URL"),
            "deployment-service", List.of("BENCHLINE_PUBLIC_URL", "BENCHLINE_SERVICES_ARTIFACT_URL",
                    "BENCHLINE_SERVICES_DISPATCHER_URL", "BENCHLINE_SECRETS_KEY"),
            "build-worker", List.of("BENCHLINE_SERVICES_ARTIFACT_URL", "BENCHLINE_SERVICES_DEPLOYMENT_URL"),
            "artifact-store", List.of("BENCHLINE_AUTH_DEPLOYMENT_SERVICE_URL", "BENCHLINE_S3_ENDPOINT",
                    "BENCHLINE_S3_PUBLIC_ENDPOINT", "BENCHLINE_S3_ACCESS_KEY", "BENCHLINE_S3_SECRET_KEY"),
            "station-dispatcher", List.of("BENCHLINE_AUTH_DEPLOYMENT_SERVICE_URL", "BENCHLINE_SERVICES_DEPLOYMENT_URL",
                    "BENCHLINE_SERVICES_ARTIFACT_URL"));

    /**
     * What the dashboard needs, and all it gets: the public API's base URL (the gateway), its session secret (32+
     * characters, the same on every instance) and Kafka, whose topics it follows only to know when a live page should
     * read the API again. No database, no internal token: every figure it shows comes from /v2.
     */
    static final List<String> DASHBOARD = List.of("BENCHLINE_DASHBOARD_API_URL", "BENCHLINE_DASHBOARD_SESSION_SECRET",
            "KAFKA_BOOTSTRAP_SERVERS");

    /**
     * The clone URL policy's switches the local stack turns on, for the services that check clone URLs: its demo and
     * the end-to-end tests build from {@code file://} repositories on this machine. docker-compose.yml keeps the safe
     * defaults (https and ssh to public hosts only), and a test holds it to that.
     */
    public static final Map<String, String> LOCAL_REPOSITORIES = Map.of(
            "BENCHLINE_REPOSITORIES_ALLOW_FILE", "true",
            "BENCHLINE_REPOSITORIES_ALLOW_PRIVATE_HOSTS", "true");
    /** The services that check clone URLs against the policy; set its keys alike in both. */
    public static final List<String> CLONE_URL_CHECKERS = List.of("deployment-service", "build-worker");

    /**
     * The gateway's upstreams: environment variable (the gateway module's {@code benchline.gateway.*-url} keys) → the
     * service it points at. The gateway module's tests hold this to its route table; the gateway needs nothing else.
     */
    public static final Map<String, String> GATEWAY_UPSTREAMS = gatewayUpstreams();

    private ServiceEnvironment() {
    }

    private static Map<String, String> gatewayUpstreams() {
        Map<String, String> upstreams = new LinkedHashMap<>();
        upstreams.put("BENCHLINE_GATEWAY_WEBHOOK_URL", "webhook-service");
        upstreams.put("BENCHLINE_GATEWAY_DEPLOYMENT_URL", "deployment-service");
        upstreams.put("BENCHLINE_GATEWAY_ARTIFACT_URL", "artifact-store");
        upstreams.put("BENCHLINE_GATEWAY_DISPATCHER_URL", "station-dispatcher");
        upstreams.put("BENCHLINE_GATEWAY_DASHBOARD_URL", LocalStack.DASHBOARD);
        return java.util.Collections.unmodifiableMap(upstreams);
    }

    /** The variables {@code service} cannot run without (beyond defaults meant for a developer's machine). */
    public static List<String> required(String service) {
        if (service.equals(LocalStack.GATEWAY)) {
            return List.copyOf(GATEWAY_UPSTREAMS.keySet());
        }
        if (service.equals(LocalStack.DASHBOARD)) {
            return DASHBOARD;
        }
        List<String> names = new ArrayList<>(EVERY_SERVICE);
        if (LocalStack.DATABASES.containsKey(service)) {
            names.addAll(DATABASE);
        }
        names.addAll(OWN.getOrDefault(service, List.of()));
        return names;
    }
}
