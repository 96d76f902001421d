package io.benchline.stack;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so this holds it to the local stack instead:
 * it parses, runs every service and the gateway from its Dockerfile.jvm, sets every variable a service needs, and
 * points the gateway's routes at the same services as the local stack does.
 */
class ComposeFileTest {
    private static Path root;
    private static Map<String, Object> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws IOException {
        root = StackLayout.detect().root();
        LoaderOptions options = new LoaderOptions();
        options.setMergeOnCompose(true);
        Map<String, Object> compose = new Yaml(options).load(Files.readString(root.resolve("docker-compose.yml")));
        services = (Map<String, Object>) compose.get("services");
        assertThat(services).isNotNull();
    }

    @Test
    void runsTheSameInfrastructureImages() {
        assertThat(image("kafka")).startsWith("apache/kafka:");
        assertThat(image("postgres")).startsWith("postgres:");
        assertThat(image("minio")).startsWith("minio/minio:");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyServiceIsBuiltFromItsDockerfileJvm() {
        for (String service : withGateway()) {
            Map<String, Object> definition = service(service);
            assertThat(definition).as(service).containsKey("build");
            Map<String, Object> build = (Map<String, Object>) definition.get("build");
            Path dockerfile = root.resolve((String) build.get("context")).resolve((String) build.get("dockerfile"));
            assertThat(dockerfile).as(service).exists();
            assertThat(dockerfile.getFileName().toString()).isEqualTo("Dockerfile.jvm");
        }
    }

    @Test
    void setsEveryVariableAServiceNeeds() {
        for (String service : withGateway()) {
            Map<String, Object> environment = environment(service);
            assertThat(environment).as("environment of %s", service)
                    .containsKeys(ServiceEnvironment.required(service).toArray(String[]::new));
            environment.forEach((key, value) -> assertThat(String.valueOf(value)).as("%s of %s", key, service)
                    .isNotBlank());
        }
    }

    @Test
    void servicesAgreeOnTheSharedSecretsAndPeers() {
        Object token = environment("deployment-service").get("BENCHLINE_AUTH_INTERNAL_TOKEN");
        for (String service : platformServices()) {
            Map<String, Object> environment = environment(service);
            assertThat(environment.get("BENCHLINE_AUTH_INTERNAL_TOKEN")).as(service).isEqualTo(token);
            assertThat(environment.get("KAFKA_BOOTSTRAP_SERVERS")).as(service).isEqualTo("kafka:9092");
            environment.forEach((key, value) -> {
                if (key.endsWith("DEPLOYMENT_URL") || key.endsWith("DEPLOYMENT_SERVICE_URL")) {
                    assertThat(value).as("%s of %s", key, service).isEqualTo("http://deployment-service:8080");
                }
                if (key.endsWith("ARTIFACT_URL")) {
                    assertThat(value).as("%s of %s", key, service).isEqualTo("http://artifact-store:8080");
                }
            });
            String database = LocalStack.DATABASES.get(service);
            if (database != null) {
                assertThat((String) environment.get("QUARKUS_DATASOURCE_JDBC_URL")).endsWith("/" + database);
                assertThat((String) environment.get("QUARKUS_DATASOURCE_REACTIVE_URL")).endsWith("/" + database);
            }
        }
    }

    @Test
    void composeKeepsTheSafeCloneUrlPolicyAndOneSecretsKey() {
        for (String service : LocalStack.SERVICES) {
            Map<String, Object> environment = environment(service);
            ServiceEnvironment.LOCAL_REPOSITORIES.keySet().forEach(key -> assertThat(environment)
                    .as("%s of %s: docker-compose keeps the default (no file:// or private hosts)", key, service)
                    .doesNotContainKey(key));
            if (!service.equals("deployment-service")) {
                assertThat(environment).as("only deployment-service holds the secrets key")
                        .doesNotContainKey("BENCHLINE_SECRETS_KEY");
            }
        }
        assertThat(environment("build-worker").get("BENCHLINE_SERVICES_DEPLOYMENT_URL"))
                .isEqualTo("http://deployment-service:8080");
    }

    @Test
    void theInternalTokenHasNoDefaultSoComposeRefusesToStartWithoutIt() {
        // The services refuse a missing or placeholder token outside dev and test; a default here would only
        // move that refusal into a restart loop (or, before, ship a known secret).
        for (String service : platformServices()) {
            assertThat(String.valueOf(environment(service).get("BENCHLINE_AUTH_INTERNAL_TOKEN"))).as(service)
                    .startsWith("${BENCHLINE_INTERNAL_TOKEN:?").doesNotContain(":-");
        }
    }

    /**
     * The dashboard is a client of the public API through the gateway, and follows Kafka's topics for its live pages:
     * none of the platform's own secrets or peers.
     */
    @Test
    void theDashboardCallsTheApiThroughTheGatewayWithASecretOfItsOwn() {
        Map<String, Object> environment = environment(LocalStack.DASHBOARD);
        assertThat(environment.get("BENCHLINE_DASHBOARD_API_URL")).isEqualTo("http://gateway:8080");
        assertThat(String.valueOf(environment.get("BENCHLINE_DASHBOARD_SESSION_SECRET")))
                .startsWith("${BENCHLINE_DASHBOARD_SESSION_SECRET:?").doesNotContain(":-");
        assertThat(environment.get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
        assertThat(environment).doesNotContainKeys("BENCHLINE_AUTH_INTERNAL_TOKEN", "QUARKUS_DATASOURCE_JDBC_URL",
                "QUARKUS_DATASOURCE_PASSWORD", "BENCHLINE_SECRETS_KEY");
        assertThat(service(LocalStack.DASHBOARD)).as("reached through the gateway only").doesNotContainKey("ports");
    }

    @Test
    void gatewayRoutesToTheSameServicesAsTheLocalStack() {
        Map<String, Object> environment = environment(LocalStack.GATEWAY);
        ServiceEnvironment.GATEWAY_UPSTREAMS.forEach((name, service) -> assertThat(environment.get(name))
                .as("%s of the gateway", name).isEqualTo("http://" + service + ":8080"));
        assertThat(String.valueOf(service(LocalStack.GATEWAY).get("ports"))).contains("8080:8080");
        assertThat(service(LocalStack.GATEWAY)).doesNotContainKey("image");
    }

    @Test
    void everyServiceListensOnThePortItsPeersAndHealthCheckUse() throws IOException {
        // The modules default to the local stack's ports (8081-8085); compose's URLs and health checks say 8080.
        for (String service : withGateway()) {
            Object port = environment(service).get("QUARKUS_HTTP_PORT");
            if (port == null) {
                java.util.Properties properties = new java.util.Properties();
                try (var reader = Files.newBufferedReader(
                        root.resolve(service).resolve("src/main/resources/application.properties"))) {
                    properties.load(reader);
                }
                port = properties.getProperty("quarkus.http.port");
            }
            assertThat(String.valueOf(port)).as("the port %s listens on in its container", service).isEqualTo("8080");
        }
    }

    @Test
    void createsEveryTopic() {
        String init = String.valueOf(service("kafka-init").get("command"));
        for (String topic : io.benchline.events.Topics.ALL) {
            assertThat(init).contains(topic);
        }
    }

    /** The services of the platform itself: those that share the internal token (all but the dashboard). */
    static java.util.List<String> platformServices() {
        return LocalStack.SERVICES.stream()
                .filter(s -> ServiceEnvironment.required(s).contains("BENCHLINE_AUTH_INTERNAL_TOKEN")).toList();
    }

    private static java.util.List<String> withGateway() {
        java.util.List<String> all = new java.util.ArrayList<>(LocalStack.SERVICES);
        all.add(LocalStack.GATEWAY);
        return all;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) {
        Map<String, Object> service = (Map<String, Object>) services.get(name);
        assertThat(service).as("service %s in docker-compose.yml", name).isNotNull();
        return service;
    }

    private static String image(String name) {
        return String.valueOf(service(name).get("image"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> environment(String name) {
        Object environment = service(name).get("environment");
        assertThat(environment).as("environment of %s", name).isInstanceOf(Map.class);
        return (Map<String, Object>) environment;
    }
}
