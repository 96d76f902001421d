package io.benchline.testsupport;

import io.benchline.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three servers really start, answer and hold data; S3 refuses unsigned requests. Runs on whichever backend
 * {@link InfraSelection} picks (embedded here, where no Docker engine runs).
 */
class BenchlineInfraTest {

    @Test
    void startsRealServersThatAnswer() throws Exception {
        BenchlineInfra infra = new BenchlineInfra();
        infra.init(Map.of("database", "benchline_probe", "kafka", "true", "s3", "true"));
        Map<String, String> config = infra.start();
        assertThat(config).containsKeys("quarkus.datasource.reactive.url", "kafka.bootstrap.servers",
                "benchline.s3.endpoint");

        try (var c = DriverManager.getConnection(BenchlineInfra.jdbcUrl("benchline_probe"), BenchlineInfra.dbUser(),
                BenchlineInfra.dbPassword()); var s = c.createStatement()) {
            s.execute("create table probe (v int)");
            s.execute("insert into probe values (42)");
            var rs = s.executeQuery("select v from probe");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }

        KafkaTestClient.send(Topics.BUILD_LOGS, "k", "{\"probe\":true}", Map.of("ce_id", "evt_1"));
        var records = KafkaTestClient.readUntil(Topics.BUILD_LOGS, r -> !r.isEmpty(), Duration.ofSeconds(30));
        assertThat(records).hasSize(1);
        assertThat(KafkaTestClient.header(records.get(0), "ce_id")).isEqualTo("evt_1");
        // An Admin on kafkaBootstrap(), not kafka().admin(): this test also runs against the containers.
        try (var admin = Admin.create(
                Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BenchlineInfra.kafkaBootstrap()))) {
            assertThat(admin.listTopics().names().get()).containsAll(Topics.ALL);
        }

        HttpResponse<String> anonymous = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(BenchlineInfra.s3Endpoint() + "/")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(403);
    }
}
