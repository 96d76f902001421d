package io.benchline.testsupport;

import io.benchline.stack.KafkaServer;
import io.benchline.stack.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Real PostgreSQL, Kafka and S3-compatible servers for tests. They start once per test JVM (so once per Maven
 * module) and stop when the JVM exits, also when tests fail. By default they are the local stack's embedded
 * servers, no Docker; {@link InfraSelection} ({@code -Dbenchline.test.infra=auto|embedded|containers}) picks
 * Testcontainers with docker-compose.yml's images instead where a Docker engine is reachable.
 * Args: {@code database} (a database to create fresh), {@code kafka} and {@code s3} ("true"/"false").
 */
public class BenchlineInfra implements QuarkusTestResourceLifecycleManager {
    public static final String INTERNAL_TOKEN = "test-internal-token";
    static final String S3_ACCESS_KEY = "benchline-test";
    static final String S3_SECRET_KEY = "benchline-test-secret";

    private static InfraBackend backend;

    private Map<String, String> args = Map.of();

    @Override
    public void init(Map<String, String> initArgs) {
        this.args = initArgs;
    }

    @Override
    public Map<String, String> start() {
        String database = args.get("database");
        boolean wantKafka = Boolean.parseBoolean(args.getOrDefault("kafka", "true"));
        boolean wantS3 = Boolean.parseBoolean(args.getOrDefault("s3", "false"));
        ensureStarted(database != null, wantKafka, wantS3);
        InfraBackend servers = backend();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.devservices.enabled", "false");
        config.put("benchline.auth.internal-token", INTERNAL_TOKEN);
        if (database != null) {
            servers.recreateDatabase(database);
            config.put("quarkus.datasource.reactive.url", servers.reactiveUrl(database));
            config.put("quarkus.datasource.jdbc.url", servers.jdbcUrl(database));
            config.put("quarkus.datasource.username", servers.dbUser());
            config.put("quarkus.datasource.password", servers.dbPassword());
        }
        if (wantKafka) {
            config.put("kafka.bootstrap.servers", servers.kafkaBootstrap());
        }
        if (wantS3) {
            config.put("benchline.s3.endpoint", servers.s3Endpoint());
            config.put("benchline.s3.public-endpoint", servers.s3Endpoint());
            config.put("benchline.s3.access-key", S3_ACCESS_KEY);
            config.put("benchline.s3.secret-key", S3_SECRET_KEY);
            config.put("benchline.s3.region", "us-east-1");
        }
        return config;
    }

    @Override
    public void stop() {
        // Servers are shared by every Quarkus application started in this JVM; they stop at JVM exit.
    }

    /** Starts whatever is asked and not yet running; the three start in parallel. */
    public static void ensureStarted(boolean wantPostgres, boolean wantKafka, boolean wantS3) {
        backend().ensureStarted(wantPostgres, wantKafka, wantS3);
    }

    /** Chosen once per JVM, at first use: a JVM never mixes embedded servers and containers. */
    static synchronized InfraBackend backend() {
        if (backend == null) {
            InfraSelection.Backend chosen = InfraSelection.current();
            // Loaded only when chosen: the embedded path never touches Testcontainers.
            backend = chosen == InfraSelection.Backend.CONTAINERS ? new ContainerBackend() : new EmbeddedBackend();
            System.out.println("BenchlineInfra: " + (chosen == InfraSelection.Backend.CONTAINERS
                    ? "Testcontainers (docker-compose.yml's images)" : "embedded servers")
                    + " (" + InfraSelection.PROPERTY + "=" + InfraSelection.requested(
                            System.getProperty(InfraSelection.PROPERTY), System.getenv(InfraSelection.ENV)) + ")");
        }
        return backend;
    }

    public static String kafkaBootstrap() {
        return backend().kafkaBootstrap();
    }

    public static String jdbcUrl(String database) {
        return backend().jdbcUrl(database);
    }

    /** The same login on both backends (the containers use the embedded server's), so no backend is chosen here. */
    public static String dbUser() {
        return PostgresServer.USER;
    }

    public static String dbPassword() {
        return PostgresServer.PASSWORD;
    }

    public static String s3Endpoint() {
        return backend().s3Endpoint();
    }

    public static String s3AccessKey() {
        return S3_ACCESS_KEY;
    }

    public static String s3SecretKey() {
        return S3_SECRET_KEY;
    }

    /** The embedded server, for fault tests that kill it; under containers this throws IllegalStateException. */
    public static PostgresServer postgres() {
        return backend().postgres();
    }

    /** The embedded broker, for fault tests that kill it; under containers this throws IllegalStateException. */
    public static KafkaServer kafka() {
        return backend().kafka();
    }
}
