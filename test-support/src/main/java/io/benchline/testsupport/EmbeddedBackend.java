package io.benchline.testsupport;

import io.benchline.events.Topics;
import io.benchline.stack.KafkaServer;
import io.benchline.stack.Ports;
import io.benchline.stack.PostgresServer;
import io.benchline.stack.ProcessSupervisor;
import io.benchline.stack.S3ProxyServer;
import io.benchline.stack.StackLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static io.benchline.testsupport.InfraBackend.require;

/**
 * The local stack's own servers, no Docker: embedded PostgreSQL, Kafka (KRaft) in its own JVM and S3Proxy, on
 * free ports in a temp folder. They stop when the JVM exits, also when tests fail; a killed JVM takes Kafka and
 * S3Proxy with it (see ParentWatchdog).
 */
final class EmbeddedBackend implements InfraBackend {
    private Path workDir;
    private ProcessSupervisor supervisor;
    private PostgresServer postgres;
    private KafkaServer kafka;
    private S3ProxyServer s3;

    /** The three start in parallel. */
    @Override
    public synchronized void ensureStarted(boolean wantPostgres, boolean wantKafka, boolean wantS3) {
        try {
            if (workDir == null) {
                workDir = Files.createTempDirectory("benchline-test-infra");
                supervisor = new ProcessSupervisor(workDir.resolve("run"));
                Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "benchline-infra-stop"));
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
                        BenchlineInfra.S3_ACCESS_KEY, BenchlineInfra.S3_SECRET_KEY);
            }
        });
        CompletableFuture.allOf(pg, kf, st).join();
    }

    synchronized void stopAll() {
        if (supervisor != null) {
            supervisor.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    public void recreateDatabase(String database) {
        postgres().recreateDatabase(database);
    }

    @Override
    public String jdbcUrl(String database) {
        return postgres().jdbcUrl(database);
    }

    @Override
    public String reactiveUrl(String database) {
        return postgres().reactiveUrl(database);
    }

    @Override
    public String dbUser() {
        return PostgresServer.USER;
    }

    @Override
    public String dbPassword() {
        return PostgresServer.PASSWORD;
    }

    @Override
    public String kafkaBootstrap() {
        return kafka().bootstrapServers();
    }

    @Override
    public String s3Endpoint() {
        return require(s3, "S3").endpoint();
    }

    @Override
    public PostgresServer postgres() {
        return require(postgres, "PostgreSQL");
    }

    @Override
    public KafkaServer kafka() {
        return require(kafka, "Kafka");
    }
}
