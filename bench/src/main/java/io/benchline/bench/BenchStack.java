package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.benchline.stack.LocalStack;
import io.benchline.stack.ProcessSupervisor;
import io.benchline.stack.StackLayout;
import io.benchline.stack.StackOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The local stack as the bench runs it: {@link LocalStack} itself, on the bench's own ports and a fresh data
 * folder under {@code bench/target}, so it never meets a running {@code ./benchline-local}. Plus the clients
 * the parts share: the REST API through the gateway, JDBC to a service's database, Kafka.
 */
public final class BenchStack implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final LocalStack stack;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1).build();

    private DeploymentRows deploymentRows;

    private BenchStack(LocalStack stack) {
        this.stack = stack;
    }

    public static BenchStack start(BenchOptions o) {
        StackLayout layout = StackLayout.detect();
        Path dir = o.dataDir != null ? o.dataDir.toAbsolutePath().normalize()
                : layout.root().resolve("bench/target/bench-stack");
        return start(o, dir, 3, Map.of());
    }

    /** A stack in {@code dir} (emptied first) on the bench's ports, with topics of {@code partitions} partitions. */
    public static BenchStack start(BenchOptions o, Path dir, int partitions, Map<String, Integer> instances) {
        clearLeftovers(dir);
        StackOptions options = new StackOptions(dir, o.gatewayPort, o.postgresPort, o.kafkaPort, o.kafkaPort + 1,
                o.s3Port, o.servicePortBase, partitions, "256m", Duration.ofSeconds(180), true, o.extraEnv())
                .withFullJit(o.fullJit()).withInstances(instances);
        return new BenchStack(LocalStack.start(options, StackLayout.detect()));
    }

    /** Stops what a killed earlier bench run left in the folder, then empties it: each run starts from nothing. */
    private static void clearLeftovers(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        Path run = dir.resolve("run");
        if (Files.isDirectory(run)) {
            new ProcessSupervisor(run).reapLeftovers();
        }
        Path pidFile = dir.resolve("postgres/postmaster.pid");
        try {
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                        .ifPresent(h -> {
                            System.err.println("bench: stopping leftover PostgreSQL " + pid);
                            h.destroy();
                            h.onExit().orTimeout(15, java.util.concurrent.TimeUnit.SECONDS)
                                    .exceptionally(e -> {
                                        h.destroyForcibly();
                                        return null;
                                    }).join();
                        });
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot clear the bench data folder " + dir + ": " + e.getMessage(), e);
        }
    }

    public LocalStack stack() {
        return stack;
    }

    public Path dir() {
        return stack.options().dir();
    }

    public int gatewayPort() {
        return stack.options().gatewayPort();
    }

    public int port(String service) {
        return URI.create(stack.serviceUrl(service)).getPort();
    }

    public String apiKey() {
        return stack.apiKey();
    }

    public Connection jdbc(String database) throws SQLException {
        return DriverManager.getConnection(stack.postgres().jdbcUrl(database), "postgres", "postgres");
    }

    /** A REST call through the gateway with the stack's API key; fails unless 2xx. */
    public JsonNode api(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + apiKey())
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }

    public HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    public KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(p);
    }

    public KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return new KafkaConsumer<>(p);
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        return Admin.create(p);
    }

    /** The organization of the stack's API key (deployment-service keeps keys as SHA-256 hex). */
    public String orgId() throws SQLException {
        try (Connection c = jdbc("benchline_deployments");
                var s = c.prepareStatement("select org_id from api_keys where key_hash = ?")) {
            s.setString(1, sha256Hex(apiKey()));
            var rs = s.executeQuery();
            if (!rs.next()) {
                throw new IllegalStateException("the stack's API key is not in benchline_deployments");
            }
            return rs.getString(1);
        }
    }

    /**
     * The procedure with {@code rows} deployments that parts 5 and 9 read, seeded by whichever asks first: one
     * insert per run. A later ask for another count is refused rather than silently measuring other rows.
     */
    public synchronized DeploymentRows deploymentRows(int rows) throws Exception {
        if (deploymentRows == null) {
            deploymentRows = DeploymentRows.seed(this, rows);
        } else if (deploymentRows.rows() != rows) {
            throw new IllegalStateException("the deployments table was seeded with " + deploymentRows.rows()
                    + " rows, not " + rows);
        }
        return deploymentRows;
    }

    static String sha256Hex(String value) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stack.close();
    }
}
