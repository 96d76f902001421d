package io.benchline.webhooks;

import io.benchline.events.DeploymentRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventSchemas;
import io.benchline.events.EventTypes;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public webhook fixtures (copied byte for byte from /work/shared/fixtures/webhooks into src/test/resources/fixtures),
 * signing, and readers for what the service left in its database and on Kafka.
 */
public final class Fixtures {
    public static final String DATABASE = "benchline_webhooks";
    static final Duration KAFKA_WAIT = Duration.ofSeconds(30);

    private Fixtures() {
    }

    /** The exact bytes of {@code github/<name>} or {@code gitlab/<name>}. */
    public static byte[] bytes(String file) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256(String secret, byte[] body) {
        return "sha256=" + hmac("HmacSHA256", secret, body);
    }

    public static String sha1(String secret, byte[] body) {
        return "sha1=" + hmac("HmacSHA1", secret, body);
    }

    private static String hmac(String algorithm, String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** deployment.requested records of one delivery id, read until {@code done} holds or the wait is over. */
    public static List<ConsumerRecord<String, String>> eventsOf(String deliveryId,
            Predicate<List<ConsumerRecord<String, String>>> done, Duration wait) {
        Predicate<ConsumerRecord<String, String>> mine = r -> deliveryId.equals(deliveryIdOf(r.value()));
        return KafkaTestClient.readUntil(Topics.DEPLOYMENT_REQUESTED,
                        rs -> done.test(rs.stream().filter(mine).toList()), wait)
                .stream().filter(mine).toList();
    }

    /**
     * Exactly one event of the delivery: once it is seen and the outbox is empty (the relay deletes a row only after
     * the broker acknowledged it), the topic up to its end offsets holds every record the delivery published.
     */
    public static ConsumerRecord<String, String> theOnlyEventOf(String deliveryId) {
        List<ConsumerRecord<String, String>> first = eventsOf(deliveryId, rs -> !rs.isEmpty(), KAFKA_WAIT);
        assertThat(first).as("deployment.requested of delivery %s", deliveryId).isNotEmpty();
        List<ConsumerRecord<String, String>> all = allEventsOf(deliveryId);
        assertThat(all).as("events of delivery %s", deliveryId).hasSize(1);
        return all.get(0);
    }

    /** Asserts that a delivery published nothing: the outbox drained and no record of it on the topic. */
    public static void assertNoEventOf(String deliveryId) {
        assertThat(allEventsOf(deliveryId)).as("events of delivery %s", deliveryId).isEmpty();
    }

    /** Every deployment.requested record of the delivery, read once the outbox is empty (see {@link #theOnlyEventOf}). */
    public static List<ConsumerRecord<String, String>> allEventsOf(String deliveryId) {
        awaitOutboxEmpty();
        return KafkaTestClient.readAll(Topics.DEPLOYMENT_REQUESTED).stream()
                .filter(r -> deliveryId.equals(deliveryIdOf(r.value()))).toList();
    }

    static String deliveryIdOf(String json) {
        try {
            return EventCodec.mapper().readTree(json).path("data").path("delivery_id").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Checks envelope, schema and headers; returns the data. */
    public static DeploymentRequested checkedData(ConsumerRecord<String, String> record) {
        assertThat(EventSchemas.validate(record.value())).as("schema errors").isEmpty();
        EventEnvelope envelope = EventCodec.parse(record.value());
        assertThat(envelope.type()).isEqualTo(EventTypes.DEPLOYMENT_REQUESTED);
        assertThat(envelope.source()).isEqualTo("/webhook-service");
        assertThat(KafkaTestClient.header(record, EventEnvelope.HEADER_ID)).isEqualTo(envelope.id());
        assertThat(KafkaTestClient.header(record, EventEnvelope.HEADER_TYPE)).isEqualTo(EventTypes.DEPLOYMENT_REQUESTED);
        DeploymentRequested data = EventCodec.data(envelope, DeploymentRequested.class);
        assertThat(envelope.subject()).isEqualTo(data.deliveryId());
        return data;
    }

    public static Connection db() throws SQLException {
        return DriverManager.getConnection(BenchlineInfra.jdbcUrl(DATABASE), BenchlineInfra.dbUser(),
                BenchlineInfra.dbPassword());
    }

    public static long count(String sql, Object... params) {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void awaitOutboxEmpty() {
        long deadline = System.nanoTime() + KAFKA_WAIT.toNanos();
        while (count("select count(*) from outbox") > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the outbox relay did not drain the outbox within " + KAFKA_WAIT);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
