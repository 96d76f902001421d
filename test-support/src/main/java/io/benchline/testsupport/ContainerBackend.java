package io.benchline.testsupport;

import io.benchline.events.Topics;
import io.benchline.stack.KafkaServer;
import io.benchline.stack.PostgresServer;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static io.benchline.testsupport.InfraBackend.require;

/**
 * PostgreSQL, Kafka and MinIO as Testcontainers, on the images docker-compose.yml runs (ContainerImagesTest
 * keeps them equal). Started once per JVM; a shutdown hook stops them, and Testcontainers' Ryuk removes them
 * if the JVM dies first. The fault tests that kill a server need the embedded ones: {@link #postgres()} and
 * {@link #kafka()} refuse here.
 */
final class ContainerBackend implements InfraBackend {
    static final String POSTGRES_IMAGE = "postgres:17";
    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    static final String MINIO_IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z";

    private PostgreSQLContainer postgres;
    private KafkaContainer kafka;
    private MinIOContainer minio;
    private boolean hooked;

    /** The three start in parallel, as the embedded servers do. */
    @Override
    public synchronized void ensureStarted(boolean wantPostgres, boolean wantKafka, boolean wantS3) {
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "benchline-infra-stop"));
            hooked = true;
        }
        CompletableFuture<Void> pg = CompletableFuture.runAsync(() -> {
            if (wantPostgres && postgres == null) {
                postgres = startPostgres();
            }
        });
        CompletableFuture<Void> kf = CompletableFuture.runAsync(() -> {
            if (wantKafka && kafka == null) {
                kafka = startKafka();
            }
        });
        CompletableFuture<Void> st = CompletableFuture.runAsync(() -> {
            if (wantS3 && minio == null) {
                minio = startMinio();
            }
        });
        CompletableFuture.allOf(pg, kf, st).join();
    }

    static PostgreSQLContainer postgresContainer() {
        return new PostgreSQLContainer(POSTGRES_IMAGE)
                // The same login as the embedded server, so tests that use dbUser()/dbPassword() see no difference.
                .withUsername(PostgresServer.USER)
                .withPassword(PostgresServer.PASSWORD)
                .withDatabaseName("postgres")
                // Every Quarkus application of a module's test JVM keeps its own pool: the embedded server's limit.
                .withCommand("postgres", "-c", "max_connections=300", "-c", "fsync=off");
    }

    static KafkaContainer kafkaContainer() {
        return new KafkaContainer(KAFKA_IMAGE)
                // As the embedded broker and compose: 3 partitions, dead-letter topics created on first use.
                .withEnv("KAFKA_NUM_PARTITIONS", "3")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "true")
                .withEnv("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "6")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
    }

    static MinIOContainer minioContainer() {
        return new MinIOContainer(MINIO_IMAGE)
                .withUserName(BenchlineInfra.S3_ACCESS_KEY)
                .withPassword(BenchlineInfra.S3_SECRET_KEY);
    }

    private static PostgreSQLContainer startPostgres() {
        PostgreSQLContainer container = postgresContainer();
        container.start();
        return container;
    }

    private static KafkaContainer startKafka() {
        KafkaContainer container = kafkaContainer();
        container.start();
        KafkaServer.createTopics(container.getBootstrapServers(), Topics.ALL, 3);
        return container;
    }

    private static MinIOContainer startMinio() {
        MinIOContainer container = minioContainer();
        container.start();
        return container;
    }

    synchronized void stopAll() {
        Stream.of(kafka, minio, postgres).filter(Objects::nonNull).forEach(container -> {
            try {
                container.stop();
            } catch (RuntimeException e) {
                // Ryuk removes what did not stop here.
                System.err.println("container did not stop: " + e.getMessage());
            }
        });
    }

    /** Over JDBC to the container's maintenance database, as PostgresServer does on the embedded one. */
    @Override
    public void recreateDatabase(String database) {
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("bad database name " + database);
        }
        PostgreSQLContainer pg = require(postgres, "PostgreSQL");
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl(), pg.getUsername(), pg.getPassword());
                Statement s = c.createStatement()) {
            s.execute("drop database if exists " + database + " with (force)");
            s.execute("create database " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot recreate database " + database + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:" + reactiveUrl(database);
    }

    @Override
    public String reactiveUrl(String database) {
        PostgreSQLContainer pg = require(postgres, "PostgreSQL");
        return "postgresql://" + pg.getHost() + ":" + pg.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT) + "/"
                + database;
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
        return require(kafka, "Kafka").getBootstrapServers();
    }

    @Override
    public String s3Endpoint() {
        return require(minio, "S3").getS3URL();
    }

    @Override
    public PostgresServer postgres() {
        throw embeddedOnly("PostgreSQL");
    }

    @Override
    public KafkaServer kafka() {
        throw embeddedOnly("Kafka");
    }

    private static IllegalStateException embeddedOnly(String name) {
        return new IllegalStateException("this test needs the embedded " + name + " server (it kills or restarts it),"
                + " but the test infrastructure runs on containers: run it with -D" + InfraSelection.PROPERTY
                + "=embedded");
    }
}
