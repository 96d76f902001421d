package io.benchline.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker in KRaft mode (one combined broker and controller) in its own JVM,
 * on the classpath the {@code stack-kafka} module resolves.
 */
public final class KafkaServer implements AutoCloseable {
    private final ProcessSupervisor supervisor;
    private final ProcessSupervisor.Child child;
    private final int port;

    private KafkaServer(ProcessSupervisor supervisor, ProcessSupervisor.Child child, int port) {
        this.supervisor = supervisor;
        this.child = child;
        this.port = port;
    }

    public static KafkaServer start(StackLayout layout, ProcessSupervisor supervisor, Path dir, int port,
            int controllerPort) {
        Ports.requireFree(port, "Kafka");
        Ports.requireFree(controllerPort, "the Kafka controller");
        String classpath = layout.classpathOf("stack-kafka");
        try {
            Path data = dir.resolve("data");
            Files.createDirectories(data);
            Path config = dir.resolve("server.properties");
            Files.writeString(config, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + data.toAbsolutePath(),
                    "num.partitions=3",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=6",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    // After a kill -9 the restarted broker cannot register until the controller dropped its old
                    // registration (broker.session.timeout.ms, 9 s by default): a restart took 13 s instead of 4.
                    "broker.session.timeout.ms=2000",
                    "broker.heartbeat.interval.ms=500",
                    "auto.create.topics.enable=true",
                    "log.retention.hours=168",
                    "") + "\n");
            Path log4j = dir.resolve("log4j2.properties");
            Files.writeString(log4j, String.join("\n",
                    "rootLogger.level=WARN",
                    "rootLogger.appenderRef.stdout.ref=STDOUT",
                    "appender.stdout.type=Console",
                    "appender.stdout.name=STDOUT",
                    "appender.stdout.layout.type=PatternLayout",
                    "appender.stdout.layout.pattern=[%d] %p %m (%c)%n",
                    "logger.kafka.name=kafka.server.KafkaRaftServer",
                    "logger.kafka.level=INFO",
                    "") + "\n");
            List<String> jvm = List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
                    "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath());
            Path log = dir.resolve("kafka.log");
            if (!Files.exists(data.resolve("meta.properties"))) {
                // KRaft storage must be formatted once; a restart keeps the cluster id and the topics.
                String clusterId = randomClusterId();
                ProcessSupervisor.Child format = supervisor.startJava("kafka-format", jvm, classpath,
                        "kafka.tools.StorageTool",
                        List.of("format", "--cluster-id=" + clusterId, "-c", config.toAbsolutePath().toString(), "--ignore-formatted"),
                        Map.of(), log);
                if (!format.process().waitFor(120, TimeUnit.SECONDS) || format.process().exitValue() != 0) {
                    throw new StackException("formatting Kafka storage failed; see " + log);
                }
                supervisor.stop(format);
            }
            ProcessSupervisor.Child child = supervisor.startJava("kafka", jvm, classpath, "kafka.Kafka",
                    List.of(config.toAbsolutePath().toString()), Map.of(), log);
            KafkaServer server = new KafkaServer(supervisor, child, port);
            Waits.until(server::answers, Duration.ofSeconds(90), "Kafka", child.process(), log);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while starting Kafka");
        }
    }

    private static String randomClusterId() {
        UUID uuid = UUID.randomUUID();
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(16);
        buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    /** The broker's JVM (its process changes when the supervisor restarts it). */
    public ProcessSupervisor.Child child() {
        return child;
    }

    /** The broker answers a describe-cluster request. */
    boolean answers() {
        if (!Ports.listening(port)) {
            return false;
        }
        try (Admin admin = admin()) {
            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Admin admin() {
        return admin(bootstrapServers());
    }

    /** An admin client for any broker (the embedded one, or a container's in test-support). */
    public static Admin admin(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        return Admin.create(props);
    }

    /** Creates the topics that do not exist yet. */
    public void createTopics(List<String> topics, int partitions) {
        createTopics(bootstrapServers(), topics, partitions);
    }

    /** Creates the topics that do not exist yet on the broker at {@code bootstrapServers}. */
    public static void createTopics(String bootstrapServers, List<String> topics, int partitions) {
        try (Admin admin = admin(bootstrapServers)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, partitions, (short) 1));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (Exception e) {
            throw new StackException("cannot create Kafka topics: " + e.getMessage(), e);
        }
    }

    /** Kills the broker with SIGKILL: no controlled shutdown, its logs recover at the next start. */
    public void kill() {
        supervisor.kill(child);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        supervisor.stop(child);
    }
}
