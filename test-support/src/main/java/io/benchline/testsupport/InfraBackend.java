package io.benchline.testsupport;

import io.benchline.stack.KafkaServer;
import io.benchline.stack.PostgresServer;

/**
 * The servers behind {@link BenchlineInfra}'s static API: the embedded ones or containers. Each starts what is
 * asked once per JVM and keeps it until the JVM exits.
 */
interface InfraBackend {

    /** Starts whatever is asked and not yet running. */
    void ensureStarted(boolean wantPostgres, boolean wantKafka, boolean wantS3);

    /** Drops the database if it exists and creates it empty. */
    void recreateDatabase(String database);

    String jdbcUrl(String database);

    String reactiveUrl(String database);

    String dbUser();

    String dbPassword();

    String kafkaBootstrap();

    String s3Endpoint();

    /** The embedded PostgreSQL, for tests that kill or restart it. */
    PostgresServer postgres();

    /** The embedded Kafka broker, for tests that kill or restart it. */
    KafkaServer kafka();

    static <T> T require(T server, String name) {
        if (server == null) {
            throw new IllegalStateException(name + " was not started: ask for it in the BenchlineInfra test resource args");
        }
        return server;
    }
}
