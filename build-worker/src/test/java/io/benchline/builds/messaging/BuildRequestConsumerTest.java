package io.benchline.builds.messaging;

import io.benchline.builds.TestRepos;
import io.benchline.events.BuildCompleted;
import io.benchline.events.BuildLogs;
import io.benchline.events.BuildRequested;
import io.benchline.events.BuildStarted;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.EventSchemas;
import io.benchline.events.EventTypes;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.benchline.testsupport.LogCapture;
import io.benchline.testsupport.SecretScan;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The worker on a real Kafka broker, with a fake artifact-store: request in, started/logs/completed out. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = @ResourceArg(name = "kafka", value = "true"))
@QuarkusTestResource(FakeArtifactStore.class)
@QuarkusTestResource(FakeDeploymentService.class)
class BuildRequestConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static final String ORG = "org_01jbuildworkertest000000";

    private static String request(String deploymentId, String cloneUrl, String sha, String branch) {
        return request(deploymentId, EventIds.withPrefix("prc"), cloneUrl, sha, branch, null);
    }

    private static String request(String deploymentId, String procedureId, String cloneUrl, String sha, String branch,
            String credentialsRef) {
        BuildRequested data = new BuildRequested(deploymentId, ORG, procedureId,
                "Voltage check", 1, "preview", new BuildRequested.Source("git", cloneUrl, sha, branch, null,
                        credentialsRef));
        EventEnvelope envelope = EventCodec.envelope(EventTypes.BUILD_REQUESTED, "/deployment-service", deploymentId,
                data);
        return EventCodec.toJson(envelope);
    }

    private static void send(String deploymentId, String json) {
        EventEnvelope envelope = EventCodec.parse(json);
        KafkaTestClient.send(Topics.BUILD_REQUESTED, deploymentId, json,
                Map.of(EventEnvelope.HEADER_ID, envelope.id(), EventEnvelope.HEADER_TYPE, envelope.type()));
    }

    private static ConsumerRecord<String, String> completedFor(String deploymentId) {
        List<ConsumerRecord<String, String>> records = KafkaTestClient.readUntil(Topics.BUILD_COMPLETED,
                rs -> rs.stream().anyMatch(r -> deploymentId.equals(r.key())), WAIT);
        return records.stream().filter(r -> deploymentId.equals(r.key())).findFirst()
                .orElseThrow(() -> new AssertionError("no build.completed for " + deploymentId));
    }

    private static List<BuildLogs.Line> logLinesFor(String deploymentId) {
        List<BuildLogs.Line> lines = new ArrayList<>();
        for (ConsumerRecord<String, String> r : KafkaTestClient.readUntil(Topics.BUILD_LOGS,
                rs -> rs.stream().anyMatch(x -> deploymentId.equals(x.key())), WAIT)) {
            if (deploymentId.equals(r.key())) {
                assertSchema(r.value());
                EventEnvelope envelope = EventCodec.parse(r.value());
                assertThat(KafkaTestClient.header(r, EventEnvelope.HEADER_TYPE)).isEqualTo(EventTypes.BUILD_LOGS);
                assertThat(KafkaTestClient.header(r, EventEnvelope.HEADER_ID)).isEqualTo(envelope.id());
                lines.addAll(EventCodec.data(envelope, BuildLogs.class).lines());
            }
        }
        return lines;
    }

    @Test
    void buildsALocalRepositoryIntoAStoredArtifact() throws Exception {
        Path repo = Files.createTempDirectory("bw-repo");
        RevCommit commit = TestRepos.create(repo, TestRepos.validProcedure());
        String deploymentId = EventIds.withPrefix("dep");
        FakeArtifactStore.FAIL_NEXT.set(1); // the first upload answers 503 and is retried
        String procedureId = EventIds.withPrefix("prc");

        send(deploymentId, request(deploymentId, procedureId, repo.toUri().toString(), commit.getName(), "main",
                null));

        ConsumerRecord<String, String> record = completedFor(deploymentId);
        assertThat(KafkaTestClient.header(record, EventEnvelope.HEADER_TYPE)).isEqualTo(EventTypes.BUILD_COMPLETED);
        EventEnvelope envelope = EventCodec.parse(record.value());
        assertThat(KafkaTestClient.header(record, EventEnvelope.HEADER_ID)).isEqualTo(envelope.id());
        assertThat(envelope.source()).isEqualTo("/build-worker");
        assertThat(envelope.subject()).isEqualTo(deploymentId);
        assertSchema(record.value());
        BuildCompleted completed = EventCodec.data(envelope, BuildCompleted.class);
        assertThat(completed.failureReason()).isNull();
        assertThat(completed.outcome()).isEqualTo(BuildCompleted.READY);
        assertThat(completed.commit().sha()).isEqualTo(commit.getName());
        assertThat(completed.commit().branch()).isEqualTo("main");
        assertThat(completed.language()).isEqualTo("python");
        assertThat(completed.runtimeVersion()).isEqualTo("3.11");
        assertThat(completed.platform()).isEqualTo("any");
        assertThat(completed.entryPoint()).isEqualTo("main.py");
        assertThat(completed.startedAt()).isBeforeOrEqualTo(completed.endedAt());
        assertThat(completed.artifact().signature()).isEqualTo(FakeArtifactStore.SIGNATURE);
        assertThat(completed.artifact().keyId()).isEqualTo(FakeArtifactStore.KEY_ID);
        byte[] stored = FakeArtifactStore.STORED.get(completed.artifact().digest());
        assertThat(stored).as("the fake stored the digest it returned").isNotNull();
        assertThat(FakeArtifactStore.QUERIES.get(completed.artifact().digest()))
                .as("the upload names the organization and procedure the signature must cover")
                .isEqualTo("organization_id=" + ORG + "&procedure_id=" + procedureId);
        assertThat(completed.artifact().sizeBytes()).isEqualTo(stored.length);
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(stored))) {
            assertThat(zip.getNextEntry().getName()).isEqualTo("manifest.json");
        }

        List<ConsumerRecord<String, String>> started = KafkaTestClient.readUntil(Topics.BUILD_STARTED,
                rs -> rs.stream().anyMatch(r -> deploymentId.equals(r.key())), WAIT);
        String startedJson = started.stream().filter(r -> deploymentId.equals(r.key())).findFirst().orElseThrow()
                .value();
        assertSchema(startedJson);
        EventEnvelope startedEnvelope = EventCodec.parse(startedJson);
        BuildStarted startedData = EventCodec.data(startedEnvelope, BuildStarted.class);
        assertThat(startedData.workerId()).isNotBlank();
        assertThat(startedData.startedAt()).isEqualTo(completed.startedAt());

        List<BuildLogs.Line> lines = logLinesFor(deploymentId);
        assertThat(lines).extracting(BuildLogs.Line::number)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, lines.size()).boxed().toList());
        assertThat(lines).extracting(BuildLogs.Line::text)
                .anyMatch(t -> t.startsWith("cloning "))
                .anyMatch(t -> t.contains("upload attempt 1 of 200 failed"))
                .anyMatch(t -> t.equals("build ready: " + completed.artifact().digest()));
        assertThat(lines).allMatch(l -> l.timestamp() != null);
    }

    /**
     * A request that refers to repository credentials: the worker fetches them (by reference, for this deployment)
     * right before it clones, the build completes, and the token is in no log line and on no topic.
     */
    @Test
    void credentialsAreFetchedByReferenceAndTheTokenAppearsInNoLogAndNoEvent() throws Exception {
        Path repo = Files.createTempDirectory("bw-private");
        RevCommit commit = TestRepos.create(repo, TestRepos.validProcedure());
        String deploymentId = EventIds.withPrefix("dep");
        String procedureId = EventIds.withPrefix("prc");
        String token = "ghp_" + java.util.UUID.randomUUID().toString().replace("-", "");
        FakeDeploymentService.CREDENTIALS.put(procedureId,
                "{\"procedure_id\":\"" + procedureId + "\",\"type\":\"token\",\"username\":\"x-access-token\","
                        + "\"token\":\"" + token + "\"}");

        try (LogCapture logs = LogCapture.start()) {
            send(deploymentId, request(deploymentId, procedureId, repo.toUri().toString(), commit.getName(), "main",
                    procedureId));

            // git cannot check a token against a local repository, but the flow must fetch it and complete.
            BuildCompleted completed = EventCodec.data(EventCodec.parse(completedFor(deploymentId).value()),
                    BuildCompleted.class);
            assertThat(completed.failureReason()).isNull();
            assertThat(completed.outcome()).isEqualTo(BuildCompleted.READY);
            assertThat(FakeDeploymentService.REQUESTS).contains(procedureId + "?deployment_id=" + deploymentId);
            assertThat(logLinesFor(deploymentId)).extracting(BuildLogs.Line::text)
                    .contains("using the procedure's repository credentials (token)");

            assertThat(logs.text()).contains("build " + deploymentId + " ready").doesNotContain(token);
        }
        String canary = "canary-" + java.util.UUID.randomUUID();
        KafkaTestClient.send("scan-canary", "k", canary, Map.of());
        assertThat(SecretScan.kafka(BenchlineInfra.kafkaBootstrap(), List.of(canary))).as("the scan finds a secret")
                .hasSize(1);
        assertThat(SecretScan.kafka(BenchlineInfra.kafkaBootstrap(), List.of(token))).isEmpty();
    }

    @Test
    void aRefusedCloneUrlIsAFailedBuildWithItsReason() {
        String deploymentId = EventIds.withPrefix("dep");
        send(deploymentId, request(deploymentId, "https://169.254.169.254/latest/meta-data",
                "0123456789abcdef0123456789abcdef01234567", "main"));

        BuildCompleted completed = EventCodec.data(EventCodec.parse(completedFor(deploymentId).value()),
                BuildCompleted.class);
        assertThat(completed.outcome()).isEqualTo(BuildCompleted.FAILED);
        assertThat(completed.failureReason()).isEqualTo("clone URL https://169.254.169.254/latest/meta-data refused "
                + "(private-host): 169.254.169.254 is a link-local address; clone URLs must reach public hosts (an "
                + "operator can allow private ones with benchline.repositories.allow-private-hosts=true)");
        assertThat(logLinesFor(deploymentId)).filteredOn(l -> l.level().equals("error")).extracting(BuildLogs.Line::text)
                .containsExactly("build failed: " + completed.failureReason());
    }

    @Test
    void anInvalidProcedureYamlFailsTheBuildWithAReason() throws Exception {
        Path repo = Files.createTempDirectory("bw-bad");
        Map<String, String> files = new HashMap<>(TestRepos.validProcedure());
        files.put("procedure.yaml", "runtime: python 2.7\nentry_point: main.py\n");
        RevCommit commit = TestRepos.create(repo, files);
        String deploymentId = EventIds.withPrefix("dep");
        int storedBefore = FakeArtifactStore.STORED.size();

        // A plain path instead of a URL, and a branch instead of a sha: both must work.
        send(deploymentId, request(deploymentId, repo.toString(), null, "main"));

        String completedJson = completedFor(deploymentId).value();
        assertSchema(completedJson);
        EventEnvelope envelope = EventCodec.parse(completedJson);
        BuildCompleted completed = EventCodec.data(envelope, BuildCompleted.class);
        assertThat(completed.outcome()).isEqualTo(BuildCompleted.FAILED);
        assertThat(completed.failureReason()).isEqualTo("procedure.yaml is invalid: name is required; "
                + "runtime python 2.7 is not supported (python 3.8 to 3.13)");
        assertThat(completed.artifact()).isNull();
        assertThat(completed.commit().sha()).as("resolved from the branch").isEqualTo(commit.getName());
        assertThat(FakeArtifactStore.STORED).hasSize(storedBefore);

        List<BuildLogs.Line> lines = logLinesFor(deploymentId);
        assertThat(lines).filteredOn(l -> l.level().equals("error")).extracting(BuildLogs.Line::text)
                .contains("procedure.yaml: name is required",
                        "procedure.yaml: runtime python 2.7 is not supported (python 3.8 to 3.13)");
    }

    @Test
    void anUnparseableRequestIsSkippedAndTheNextOneStillBuilds() throws Exception {
        KafkaTestClient.send(Topics.BUILD_REQUESTED, "garbage", "{not json", Map.of());
        String wrongType = EventCodec.toJson(EventCodec.envelope(EventTypes.BUILD_STARTED, "/x", "dep",
                new BuildStarted("dep_x", "w", java.time.Instant.now())));
        KafkaTestClient.send(Topics.BUILD_REQUESTED, "wrong-type", wrongType, Map.of());

        Path repo = Files.createTempDirectory("bw-next");
        RevCommit commit = TestRepos.create(repo, TestRepos.validProcedure());
        String deploymentId = EventIds.withPrefix("dep");
        send(deploymentId, request(deploymentId, repo.toUri().toString(), commit.getName(), null));

        BuildCompleted completed = EventCodec.data(EventCodec.parse(completedFor(deploymentId).value()),
                BuildCompleted.class);
        assertThat(completed.outcome()).isEqualTo(BuildCompleted.READY);
        List<ConsumerRecord<String, String>> dead = KafkaTestClient.readUntil("dead-letter-topic-build.requested",
                rs -> rs.size() >= 2, WAIT);
        assertThat(dead).extracting(ConsumerRecord::value).contains("{not json", wrongType);
    }

    private static void assertSchema(String envelopeJson) {
        assertThat(EventSchemas.validate(envelopeJson)).isEmpty();
    }
}
