package io.benchline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.benchline.events.Topics;
import io.benchline.stack.GitPush;
import io.benchline.stack.LocalStack;
import io.benchline.stack.ProcessSupervisor;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signing-key rotation across a running agent, on the real local stack: the agent (one process, never restarted,
 * without a trusted-keys file) runs deployment A signed with the organization's first key; an admin rotates; a push
 * builds B, signed with the new key; the same agent picks the new key up, verifies and runs B; a rollback to A
 * verifies again with the retired key. Members and viewers cannot rotate, and a replayed or forged build result
 * never changes the key a deployment recorded.
 */
@org.junit.jupiter.api.Order(org.junit.jupiter.api.Order.DEFAULT + 2) // on the shared stack (see SharedStack)
class KeyRotationIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static LocalStack stack;
    private static Path work;
    private static Api api;

    @BeforeAll
    static void startStack() throws Exception {
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "e2e-keys-");
        stack = SharedStack.get().stack;
        api = new Api(stack.baseUrl(), stack.apiKey());
    }

    @Test
    void aRunningAgentFollowsARotationAndStillVerifiesWhatTheOldKeySigned() throws Exception {
        Path repo = work.resolve("leak-check");
        Files.createDirectories(repo);
        GitPush.git(repo, "init", "-q", "-b", "main");
        GitPush.git(repo, "config", "user.name", "Ada Tester");
        GitPush.git(repo, "config", "user.email", "ada@example.com");
        Files.writeString(repo.resolve("procedure.yaml"), "name: leak-check\nruntime: python 3.11\nentry_point: main.py\n");
        Files.writeString(repo.resolve("main.py"), "print('leak-check a')\n");
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "Leak check a");
        String commitA = GitPush.git(repo, "rev-parse", "HEAD").trim();
        String cloneUrl = "file://" + repo.toAbsolutePath();
        JsonNode procedure = api.post("/v2/procedures", Map.of("name", "leak-check", "repository",
                Map.of("provider", "github", "clone_url", cloneUrl, "full_name", "acme/leak-check"))).expect(201).json();
        String procedureId = procedure.get("id").asText();
        String hookId = procedure.at("/webhook/id").asText();
        String secret = procedure.at("/webhook/secret").asText();
        JsonNode station = api.post("/v2/stations", Map.of("name", "bench-keys")).expect(201).json();
        String stationId = station.get("id").asText();
        api.post("/v2/stations/" + stationId + "/links", Map.of("procedure_id", procedureId,
                "environment", "production")).expect(201);

        // No --trusted-keys: the agent trusts the keys of its organization that it fetches from the dispatcher.
        Path agentLog = work.resolve("agent-keys.log");
        ProcessSupervisor.Child agent = stack.startJavaProcess("e2e-agent-keys", stack.layout().cliJar().toString(),
                "io.benchline.cli.Main",
                List.of("agent", "--url", stack.baseUrl(), "--token", station.get("agent_token").asText(),
                        "--work-dir", work.resolve("station-keys").toString(), "--poll-interval", "500ms",
                        "--keys-refresh", "1h"),
                agentLog);
        long agentPid = agent.process().pid();
        try {
            // A, signed with the organization's active key. The stack is shared: keys other classes rotated before
            // (the fuzz's POST /v2/keys/rotate) are listed after it, retired.
            push(repo, hookId, secret, GitPush.ZERO, commitA);
            JsonNode depA = awaitReady(procedureId, commitA);
            String depAId = depA.get("id").asText();
            String keyA = depA.at("/artifact/key_id").asText();
            assertThat(keyA).matches("ed25519-[0-9a-f]{16}");
            JsonNode keysBefore = api.get("/v2/keys").expect(200).json();
            List<String> earlier = new ArrayList<>();
            keysBefore.path("keys").forEach(k -> earlier.add(k.get("id").asText() + " " + k.get("status").asText()));
            assertThat(keysBefore.at("/keys/0/id").asText()).isEqualTo(keyA);
            assertThat(keysBefore.at("/keys/0/status").asText()).isEqualTo("active");
            assertThat(earlier.subList(1, earlier.size())).as("the organization's one active key is A's: %s", earlier)
                    .allMatch(k -> k.endsWith(" retired"));
            awaitActual(stationId, procedureId, depAId);
            assertThat(runOnce(stationId, procedureId)).isEqualTo(depAId);

            // Only an admin rotates.
            for (String role : List.of("member", "viewer")) {
                String secretKey = api.post("/v2/api-keys", Map.of("name", "keys-" + role, "role", role)).expect(201)
                        .json().get("secret").asText();
                Api.Response refused = new Api(stack.baseUrl(), secretKey).post("/v2/keys/rotate", Map.of());
                assertThat(refused.status()).as(refused.body()).isEqualTo(403);
                assertThat(refused.contentType()).startsWith("application/problem+json");
                assertThat(refused.json().path("type").asText()).endsWith("/missing-role");
            }
            JsonNode rotated = Api.JSON_READER.readTree(cli("keys", "rotate", "--json"));
            String keyB = rotated.get("id").asText();
            assertThat(keyB).isNotEqualTo(keyA);
            JsonNode keysAfter = api.get("/v2/keys").expect(200).json();
            assertThat(keysAfter.path("keys")).hasSize(earlier.size() + 1);
            assertThat(keysAfter.at("/keys/0/id").asText()).isEqualTo(keyB);
            assertThat(keysAfter.at("/keys/0/status").asText()).isEqualTo("active");
            assertThat(keysAfter.at("/keys/1/id").asText()).isEqualTo(keyA);
            assertThat(keysAfter.at("/keys/1/status").asText()).isEqualTo("retired");
            assertThat(keysAfter.at("/keys/1/retired_at").asText()).isNotBlank();
            List<String> olderAfter = new ArrayList<>();
            keysAfter.path("keys").forEach(k -> olderAfter.add(k.get("id").asText() + " " + k.get("status").asText()));
            assertThat(olderAfter.subList(2, olderAfter.size())).as("the keys retired before A's, as they were")
                    .isEqualTo(earlier.subList(1, earlier.size()));

            // B, pushed after the rotation, is signed with the new key, and the same agent process runs it.
            Files.writeString(repo.resolve("main.py"), "print('leak-check b')\n");
            GitPush.git(repo, "commit", "-q", "-am", "Leak check b");
            String commitB = GitPush.git(repo, "rev-parse", "HEAD").trim();
            push(repo, hookId, secret, commitA, commitB);
            JsonNode depB = awaitReady(procedureId, commitB);
            String depBId = depB.get("id").asText();
            assertThat(depB.at("/artifact/key_id").asText()).isEqualTo(keyB);
            awaitActual(stationId, procedureId, depBId);
            assertThat(runOnce(stationId, procedureId)).isEqualTo(depBId);
            assertThat(agent.process().pid()).as("the same agent process").isEqualTo(agentPid);
            assertThat(agent.restarts()).isZero();

            // A's record still names the old key; a rollback to it verifies again with the retired key.
            assertThat(api.get("/v2/deployments/" + depAId).expect(200).json().at("/artifact/key_id").asText())
                    .isEqualTo(keyA);
            cli("rollback", procedureId, "--to", depAId, "--note", "back to a");
            awaitActual(stationId, procedureId, depAId);
            assertThat(runOnce(stationId, procedureId)).isEqualTo(depAId);

            assertThat(agent.process().pid()).isEqualTo(agentPid);
            String log = Files.readString(agentLog);
            String verified = " of procedure " + procedureId + " is unpacked and verified (signed by key ";
            assertThat(log).contains("deployment " + depAId + verified + keyA + ", active)");
            assertThat(log).contains("deployment " + depBId + verified + keyB + ", active)");
            assertThat(log).as("the rollback verified A again, with the retired key")
                    .contains("deployment " + depAId + verified + keyA + ", retired)");
            assertThat(log).contains("fetched the trusted keys (deployment " + depBId + " names unknown key " + keyB);
            assertThat(log).doesNotContain("REFUSED");

            replayedAndForgedResultsChangeNoRecordedKey(depAId, depBId, keyA);
        } finally {
            stack.stopProcess(agent);
        }
    }

    /**
     * Replays A's build.completed as it was (a duplicate) and then a forged one for A carrying B's artifact (new key,
     * new event id): deployment-service takes both off the topic and A keeps the artifact and key it recorded.
     */
    private static void replayedAndForgedResultsChangeNoRecordedKey(String depAId, String depBId, String keyA)
            throws Exception {
        JsonNode before = api.get("/v2/deployments/" + depAId).expect(200).json().get("artifact");
        List<ConsumerRecord<String, String>> completed = TopicReader.readAll(stack.kafkaBootstrap(),
                Topics.BUILD_COMPLETED);
        ConsumerRecord<String, String> original = completed.stream().filter(r -> depAId.equals(r.key())).findFirst()
                .orElseThrow();
        ConsumerRecord<String, String> ofB = completed.stream().filter(r -> depBId.equals(r.key())).findFirst()
                .orElseThrow();
        ObjectNode forged = (ObjectNode) Api.JSON_READER.readTree(original.value());
        String forgedId = UUID.randomUUID().toString();
        forged.put("id", forgedId);
        ((ObjectNode) forged.get("data")).set("artifact", Api.JSON_READER.readTree(ofB.value()).at("/data/artifact"));

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        RecordMetadata last;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            ProducerRecord<String, String> duplicate = new ProducerRecord<>(Topics.BUILD_COMPLETED, depAId,
                    original.value());
            for (Header h : original.headers()) {
                duplicate.headers().add(h.key(), h.value());
            }
            producer.send(duplicate).get(30, TimeUnit.SECONDS);
            ProducerRecord<String, String> fake = new ProducerRecord<>(Topics.BUILD_COMPLETED, depAId,
                    forged.toString());
            for (Header h : original.headers()) {
                fake.headers().add(h.key(), h.key().equals("ce_id") ? forgedId.getBytes(StandardCharsets.UTF_8)
                        : h.value());
            }
            last = producer.send(fake).get(30, TimeUnit.SECONDS);
        }
        // Offsets are committed only after the handler's effect: once the group is past the forged record, both
        // were handled.
        TopicPartition partition = new TopicPartition(last.topic(), last.partition());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            Await.until("deployment-service handled the replayed results", WAIT, () -> {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(
                        "deployment-service.build-completed").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                OffsetAndMetadata committed = offsets.get(partition);
                return committed != null && committed.offset() > last.offset() ? true : null;
            });
        }
        JsonNode after = api.get("/v2/deployments/" + depAId).expect(200).json();
        assertThat(after.get("artifact")).isEqualTo(before);
        assertThat(after.at("/artifact/key_id").asText()).isEqualTo(keyA);
        assertThat(after.get("status").asText()).isEqualTo("ready");
    }

    private static void push(Path repo, String hookId, String secret, String before, String after) throws Exception {
        byte[] payload = GitPush.payload(repo, "acme/leak-check", "file://" + repo.toAbsolutePath(), "main", before,
                after);
        var answer = GitPush.send(stack.baseUrl(), hookId, secret, payload, UUID.randomUUID().toString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    }

    private static JsonNode awaitReady(String procedureId, String commit) throws Exception {
        return Await.until("the deployment of " + commit + " is ready", WAIT, () -> {
            for (JsonNode d : api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json().get("data")) {
                if (commit.equals(d.at("/commit/sha").asText()) && "ready".equals(d.path("status").asText())) {
                    return d;
                }
            }
            return null;
        });
    }

    private static void awaitActual(String stationId, String procedureId, String deploymentId) throws Exception {
        Await.until("the agent runs " + deploymentId, WAIT, () -> {
            for (JsonNode p : api.get("/v2/stations/" + stationId).expect(200).json().get("pointers")) {
                if (p.get("procedure_id").asText().equals(procedureId)
                        && deploymentId.equals(p.path("actual_deployment_id").asText())) {
                    return true;
                }
            }
            return null;
        });
    }

    /** Requests one run and returns the deployment it finished on (passed). */
    private static String runOnce(String stationId, String procedureId) throws Exception {
        String request = api.post("/v2/stations/" + stationId + "/run-requests", Map.of("procedure_id", procedureId))
                .expect(202).json().get("id").asText();
        JsonNode run = Await.until("run " + request + " finished", WAIT, () -> {
            for (JsonNode r : api.get("/v2/stations/" + stationId + "/runs").expect(200).json().get("data")) {
                if (request.equals(r.path("run_request_id").asText()) && "finished".equals(r.path("status").asText())) {
                    return r;
                }
            }
            return null;
        });
        assertThat(run.get("outcome").asText()).isEqualTo("passed");
        return run.get("deployment_id").asText();
    }

    private static String cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", stack.layout().cliJar().toString(), "io.benchline.cli.Main"));
        command.addAll(List.of(args));
        command.addAll(List.of("--url", stack.baseUrl(), "--api-key", stack.apiKey()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("benchline %s: %s", String.join(" ", args), out).isZero();
        return out;
    }
}
