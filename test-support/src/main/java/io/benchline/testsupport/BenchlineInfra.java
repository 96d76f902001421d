package io.benchline.testsupport;

import io.benchline.events.Topics;
import io.benchline.stack.KafkaServer;
import io.benchline.stack.Ports;
import io.benchline.stack.PostgresServer;
import io.benchline.stack.ProcessSupervisor;
import io.benchline.stack.S3ProxyServer;
import io.benchline.stack.StackLayout;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Real PostgreSQL, Kafka and S3-compatible servers for tests, no Docker. They start once per test
 * JVM (so once per Maven module), on free ports in a temp folder, and stop when the JVM exits —
 * also when tests fail; a killed JVM takes Kafka and S3Proxy with it (see ParentWatchdog).
 * Args: {@code database} (a database to create fresh), {@code kafka} and {@code s3} ("true"/"false").
 */
public class BenchlineInfra implements QuarkusTestResourceLifecycleManager {
    public static final String INTERNAL_TOKEN = "test-internal-token";
    private static final String S3_ACCESS_KEY = "benchline-test";
    private static final String S3_SECRET_KEY = "benchline-test-secret";

    private static Path workDir;
    private static ProcessSupervisor supervisor;
    private static PostgresServer postgres;
    private static KafkaServer kafka;
    private static S3ProxyServer s3;

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
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.devservices.enabled", "false");
        config.put("benchline.auth.internal-token", INTERNAL_TOKEN);
        if (database != null) {
            postgres.recreateDatabase(database);
            config.put("quarkus.datasource.reactive.url", postgres.reactiveUrl(database));
            config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database));
            config.put("quarkus.datasource.username", PostgresServer.USER);
            config.put("quarkus.datasource.password", PostgresServer.PASSWORD);
        }
        if (wantKafka) {
            config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        }
        if (wantS3) {
            config.put("benchline.s3.endpoint", s3.endpoint());
            config.put("benchline.s3.public-endpoint", s3.endpoint());
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
    public static synchronized void ensureStarted(boolean wantPostgres, boolean wantKafka, boolean wantS3) {
        try {
            if (workDir == null) {
                workDir = Files.createTempDirectory("benchline-test-infra");
                supervisor = new ProcessSupervisor(workDir.resolve("run"));
                Runtime.getRuntime().addShutdownHook(new Thread(BenchlineInfra::stopAll, "benchline-infra-stop"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StackLayout layout = StackLayout.detect();
        CompletableFuture<Void> pg = CompletableFuture.runAsync(() -> {
            if (wantPostgres && postgres == null) {
                postgres = PostgresServer.start(workDir.resolve("postgres"), Ports.free());
            }
        });
        CompletableFuture<Void> kf = CompletableFuture.runAsync(() -> {
            if (wantKafka && kafka == null) {
                kafka = KafkaServer.start(layout, supervisor, workDir.resolve("kafka"), Ports.free(), Ports.free());
                kafka.createTopics(Topics.ALL, 3);
            }
        });
        CompletableFuture<Void> st = CompletableFuture.runAsync(() -> {
            if (wantS3 && s3 == null) {
                s3 = S3ProxyServer.start(layout, supervisor, workDir.resolve("s3proxy"), null, Ports.free(),
                        S3_ACCESS_KEY, S3_SECRET_KEY);
            }
        });
        CompletableFuture.allOf(pg, kf, st).join();
    }

    static synchronized void stopAll() {
        if (supervisor != null) {
            supervisor.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    public static String kafkaBootstrap() {
        return require(kafka, "Kafka").bootstrapServers();
    }

    public static String jdbcUrl(String database) {
        return require(postgres, "PostgreSQL").jdbcUrl(database);
    }

    public static String dbUser() {
        return PostgresServer.USER;
    }

    public static String dbPassword() {
        return PostgresServer.PASSWORD;
    }

    public static String s3Endpoint() {
        return require(s3, "S3").endpoint();
    }

    public static String s3AccessKey() {
        return S3_ACCESS_KEY;
    }

    public static String s3SecretKey() {
        return S3_SECRET_KEY;
    }

    public static PostgresServer postgres() {
        return require(postgres, "PostgreSQL");
    }

    public static KafkaServer kafka() {
        return require(kafka, "Kafka");
    }

    private static <T> T require(T server, String name) {
        if (server == null) {
            throw new IllegalStateException(name + " was not started: ask for it in the BenchlineInfra test resource args");
        }
        return server;
    }
}
