package io.benchline.testsupport;

import io.benchline.stack.StackLayout;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The container backend without a Docker engine (these machines have none): its images are docker-compose.yml's,
 * so the two cannot drift, and the fault tests' accessors refuse with a hint.
 */
class ContainerBackendTest {

    @Test
    void imagesAreTheComposeFilesImages() throws IOException {
        Map<String, String> images = composeImages(StackLayout.detect().root().resolve("docker-compose.yml"));
        assertThat(images).containsEntry("postgres", ContainerBackend.POSTGRES_IMAGE)
                .containsEntry("kafka", ContainerBackend.KAFKA_IMAGE)
                .containsEntry("minio", ContainerBackend.MINIO_IMAGE);
    }

    @Test
    void theEmbeddedServersAreRefusedNamingTheProperty() {
        ContainerBackend containers = new ContainerBackend();
        assertThatThrownBy(containers::postgres).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("embedded PostgreSQL").hasMessageContaining("-Dbenchline.test.infra=embedded");
        assertThatThrownBy(containers::kafka).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("embedded Kafka").hasMessageContaining("-Dbenchline.test.infra=embedded");
    }

    @Test
    void nothingStartedIsReportedAsOnTheEmbeddedPath() {
        ContainerBackend containers = new ContainerBackend();
        assertThatThrownBy(containers::kafkaBootstrap).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Kafka was not started");
        assertThatThrownBy(() -> containers.jdbcUrl("x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PostgreSQL was not started");
        assertThatThrownBy(containers::s3Endpoint).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("S3 was not started");
    }

    /** Building the definitions needs no engine (nothing is pulled before start()). */
    @Test
    void containersUseTheEmbeddedLoginsAndBrokerSettings() {
        try (var pg = ContainerBackend.postgresContainer()) {
            assertThat(pg.getUsername()).isEqualTo(BenchlineInfra.dbUser());
            assertThat(pg.getPassword()).isEqualTo(BenchlineInfra.dbPassword());
            assertThat(String.join(" ", pg.getCommandParts())).contains("max_connections=300");
        }
        try (var kafka = ContainerBackend.kafkaContainer()) {
            assertThat(kafka.getEnvMap()).containsEntry("KAFKA_NUM_PARTITIONS", "3")
                    .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "true");
        }
        try (var minio = ContainerBackend.minioContainer()) {
            assertThat(minio.getUserName()).isEqualTo(BenchlineInfra.s3AccessKey());
            assertThat(minio.getPassword()).isEqualTo(BenchlineInfra.s3SecretKey());
        }
    }

    /** Service name to image, from the top-level {@code services:} block (two-space indented services). */
    static Map<String, String> composeImages(Path compose) throws IOException {
        List<String> lines = Files.readAllLines(compose);
        Map<String, String> images = new HashMap<>();
        boolean inServices = false;
        String service = null;
        for (String line : lines) {
            if (!line.startsWith(" ") && !line.isBlank() && !line.startsWith("#")) {
                inServices = line.startsWith("services:");
                service = null;
            } else if (inServices && line.matches("  [a-z][a-z0-9-]*:\\s*")) {
                service = line.trim().replace(":", "");
            } else if (inServices && service != null && line.matches("    image:.*")) {
                images.put(service, line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return images;
    }
}
