package io.benchline.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventContractTest {
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static final ArtifactRef ARTIFACT = new ArtifactRef(DIGEST, 1234, "c2lnbmF0dXJl", "key_1");
    static final Commit COMMIT = new Commit(SHA, "Add test", "Ada", "main", Instant.parse("2026-11-01T10:00:00Z"));

    static Map<String, Object> samples() {
        String dep = EventIds.withPrefix("dep");
        String org = EventIds.withPrefix("org");
        String prc = EventIds.withPrefix("prc");
        String stn = EventIds.withPrefix("stn");
        return Map.of(
                EventTypes.DEPLOYMENT_REQUESTED, new DeploymentRequested("github", "72d3162e", "hk_1", org,
                        new DeploymentRequested.Repository("acme/rig", "https://github.com/acme/rig.git", null, null),
                        "refs/heads/main", "branch", "main", "0".repeat(40), SHA, SHA, COMMIT, false, false, true,
                        "ada", 1),
                EventTypes.BUILD_REQUESTED, new BuildRequested(dep, org, prc, "rig", 3, "production",
                        new BuildRequested.Source("git", "https://github.com/acme/rig.git", SHA, "main", null, prc)),
                EventTypes.BUILD_STARTED, new BuildStarted(dep, "worker-1", Instant.now()),
                EventTypes.BUILD_LOGS, new BuildLogs(dep, List.of(new BuildLogs.Line(1, Instant.now(), "info", "x"))),
                EventTypes.BUILD_COMPLETED, new BuildCompleted(dep, "ready", null, Instant.now(), Instant.now(), COMMIT,
                        "3.11", "linux/amd64", "python", "main.py", ARTIFACT, 42L),
                EventTypes.DEPLOYMENT_LIFECYCLE, new DeploymentEvent("ready", dep, org, prc, 3, "production", "auto",
                        "ready", "main", SHA, true, ARTIFACT),
                EventTypes.POINTER_MOVED, new PointerMoved(stn, org, prc, null, dep, "pin", 1,
                        new ActorRef(EventIds.withPrefix("key"), "ci key"), "hold line 3 on the old version"),
                EventTypes.STATION_RUN, new StationRun(EventIds.withPrefix("run"), stn, org, prc, dep, "finished",
                        "failed", Instant.now(), 1200L, "PB-000042", List.of(new StationRun.PhaseResult("voltage",
                        "Output Voltage", "main", "fail", 1, 80L, "measurement out of limits: output_voltage",
                        List.of(new StationRun.Measurement("output_voltage", "Output Voltage", "V",
                                com.fasterxml.jackson.databind.node.DoubleNode.valueOf(5.31), "FAIL"))))),
                EventTypes.ROLLOUT_CHANGED, new RolloutEvent(EventIds.withPrefix("rol"), org, prc, dep,
                        RolloutEvent.PAUSED, "paused", 1, new ActorRef(EventIds.withPrefix("key"), "ci key"),
                        "line 3 is down for maintenance"));
    }

    @Test
    void everyTypeHasARecordATopicAndASchema() {
        assertThat(EventTypes.TYPE_OF_TOPIC.keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL);
        assertThat(EventTypes.TYPE_OF_TOPIC.values()).containsExactlyInAnyOrderElementsOf(EventTypes.DATA_CLASSES.keySet());
        for (String type : EventTypes.DATA_CLASSES.keySet()) {
            assertThat(EventSchemas.schema(EventTypes.schemaFile(type))).as(type).isNotNull();
        }
    }

    @Test
    void serializedRecordsParseAgainstTheirSchemasAndRoundTrip() {
        samples().forEach((type, data) -> {
            EventEnvelope envelope = EventCodec.envelope(type, "/test", "subject-1", data);
            String json = EventCodec.toJson(envelope);
            assertThat(EventSchemas.validate(json)).as(type + ": " + json).isEmpty();
            EventEnvelope parsed = EventCodec.parse(json);
            assertThat(parsed.id()).isEqualTo(envelope.id());
            assertThat(EventCodec.data(parsed, data.getClass())).isEqualTo(data);
        });
    }

    @Test
    void schemasRejectWhatTheContractForbids() {
        String dep = EventIds.withPrefix("dep");
        String bad = EventCodec.toJson(EventCodec.envelope(EventTypes.BUILD_COMPLETED, "/test", dep,
                new BuildCompleted(dep, "done", null, null, Instant.now(), null, null, null, null, null, null, null)));
        assertThat(EventSchemas.validate(bad)).anyMatch(m -> m.contains("outcome"));
        String noId = "{\"specversion\":\"1.0\",\"type\":\"io.benchline.build.started\",\"source\":\"/x\","
                + "\"time\":\"2026-01-01T00:00:00Z\",\"schemaversion\":\"1\",\"data\":{}}";
        assertThat(EventSchemas.validate(noId)).isNotEmpty();
        assertThat(EventSchemas.validate("not json")).isNotEmpty();
    }

    @Test
    void buildCompletedSchemaListsExactlyTheRecordsFields() {
        java.util.Set<String> properties = new java.util.HashSet<>();
        EventSchemas.schema(EventTypes.schemaFile(EventTypes.BUILD_COMPLETED)).getSchemaNode().get("properties")
                .fieldNames().forEachRemaining(properties::add);
        List<String> components = java.util.Arrays.stream(BuildCompleted.class.getRecordComponents())
                .map(c -> c.getName().replaceAll("([A-Z])", "_$1").toLowerCase()).toList();
        assertThat(properties).containsExactlyInAnyOrderElementsOf(components);
    }

    @Test
    void buildRequestedSchemaListsExactlyTheSourceFieldsAndOnlyAProcedureAsCredentialsReference() {
        java.util.Set<String> properties = new java.util.HashSet<>();
        EventSchemas.schema(EventTypes.schemaFile(EventTypes.BUILD_REQUESTED)).getSchemaNode().at("/properties/source/properties")
                .fieldNames().forEachRemaining(properties::add);
        List<String> components = java.util.Arrays.stream(BuildRequested.Source.class.getRecordComponents())
                .map(c -> c.getName().replaceAll("([A-Z])", "_$1").toLowerCase()).toList();
        assertThat(properties).containsExactlyInAnyOrderElementsOf(components);

        String dep = EventIds.withPrefix("dep");
        String secret = EventCodec.toJson(EventCodec.envelope(EventTypes.BUILD_REQUESTED, "/test", dep,
                new BuildRequested(dep, EventIds.withPrefix("org"), EventIds.withPrefix("prc"), "rig", 1, "preview",
                        new BuildRequested.Source("git", "https://github.com/a/b.git", SHA, "main", null,
                                "ghp_notAReferenceButAToken"))));
        assertThat(EventSchemas.validate(secret)).anyMatch(m -> m.contains("credentials_ref"));
        String extra = EventCodec.toJson(EventCodec.envelope(EventTypes.BUILD_REQUESTED, "/test", dep,
                new BuildRequested(dep, EventIds.withPrefix("org"), EventIds.withPrefix("prc"), "rig", 1, "preview",
                        new BuildRequested.Source("git", "https://github.com/a/b.git", SHA, "main", null))))
                .replace("\"kind\":\"git\"", "\"kind\":\"git\",\"token\":\"ghp_x\"");
        assertThat(extra).contains("ghp_x");
        assertThat(EventSchemas.validate(extra)).as("no field for a secret").isNotEmpty();
    }

    @Test
    void aBuildCompletedWithoutLogLineCountFromAnOlderProducerIsValidAndReadsAsUnknown() {
        String dep = EventIds.withPrefix("dep");
        String old = "{\"specversion\":\"1.0\",\"id\":\"" + EventIds.next() + "\",\"type\":\"io.benchline.build.completed\","
                + "\"source\":\"/build-worker\",\"time\":\"2026-01-01T00:00:00Z\",\"subject\":\"" + dep + "\","
                + "\"datacontenttype\":\"application/json\",\"schemaversion\":\"1\",\"data\":{\"deployment_id\":\""
                + dep + "\",\"outcome\":\"failed\",\"failure_reason\":\"boom\",\"ended_at\":\"2026-01-01T00:00:00Z\"}}";
        assertThat(EventSchemas.validate(old)).isEmpty();
        assertThat(EventCodec.data(EventCodec.parse(old), BuildCompleted.class).logLineCount()).isNull();

        String negative = EventCodec.toJson(EventCodec.envelope(EventTypes.BUILD_COMPLETED, "/test", dep,
                new BuildCompleted(dep, "ready", null, null, Instant.now(), null, null, null, null, null, ARTIFACT, -1L)));
        assertThat(EventSchemas.validate(negative)).anyMatch(m -> m.contains("log_line_count"));
    }

    @Test
    void lifecycleSchemaListsExactlyTheRecordsFieldsAndReconciledIsOptional() {
        java.util.Set<String> properties = new java.util.HashSet<>();
        EventSchemas.schema(EventTypes.schemaFile(EventTypes.DEPLOYMENT_LIFECYCLE)).getSchemaNode().get("properties")
                .fieldNames().forEachRemaining(properties::add);
        List<String> components = java.util.Arrays.stream(DeploymentEvent.class.getRecordComponents())
                .map(c -> c.getName().replaceAll("([A-Z])", "_$1").toLowerCase()).toList();
        assertThat(properties).containsExactlyInAnyOrderElementsOf(components);

        String dep = EventIds.withPrefix("dep");
        DeploymentEvent reconciled = new DeploymentEvent("created", dep, EventIds.withPrefix("org"),
                EventIds.withPrefix("prc"), 4, "production", "auto", "pending", "main", SHA, true, null, null, null,
                ActorRef.SYSTEM, null, true);
        String json = EventCodec.toJson(EventCodec.envelope(EventTypes.DEPLOYMENT_LIFECYCLE, "/test", dep, reconciled));
        assertThat(json).contains("\"reconciled\":true");
        assertThat(EventSchemas.validate(json)).isEmpty();
        String older = json.replace(",\"reconciled\":true", "");
        assertThat(older).doesNotContain("reconciled");
        assertThat(EventSchemas.validate(older)).as("an older producer's event").isEmpty();
        assertThat(EventCodec.data(EventCodec.parse(older), DeploymentEvent.class).reconciled()).isFalse();
    }

    @Test
    void rolloutSchemaListsExactlyTheRecordsFieldsAndActionsAndRefusesOthers() {
        com.fasterxml.jackson.databind.JsonNode schema = EventSchemas.schema(
                EventTypes.schemaFile(EventTypes.ROLLOUT_CHANGED)).getSchemaNode();
        java.util.Set<String> properties = new java.util.HashSet<>();
        schema.get("properties").fieldNames().forEachRemaining(properties::add);
        List<String> components = java.util.Arrays.stream(RolloutEvent.class.getRecordComponents())
                .map(c -> c.getName().replaceAll("([A-Z])", "_$1").toLowerCase()).toList();
        assertThat(properties).containsExactlyInAnyOrderElementsOf(components);
        List<String> actions = new java.util.ArrayList<>();
        schema.at("/properties/action/enum").forEach(a -> actions.add(a.asText()));
        assertThat(actions).containsExactlyInAnyOrder(RolloutEvent.CREATED, RolloutEvent.ADVANCED,
                RolloutEvent.COMPLETED, RolloutEvent.PAUSED, RolloutEvent.RESUMED, RolloutEvent.ABORTED,
                RolloutEvent.SUPERSEDED, RolloutEvent.NEEDS_ATTENTION);

        String rol = EventIds.withPrefix("rol");
        String unknownAction = EventCodec.toJson(EventCodec.envelope(EventTypes.ROLLOUT_CHANGED, "/test", rol,
                new RolloutEvent(rol, EventIds.withPrefix("org"), EventIds.withPrefix("prc"),
                        EventIds.withPrefix("dep"), "restarted", "running", 0, ActorRef.SYSTEM, null)));
        assertThat(EventSchemas.validate(unknownAction)).anyMatch(m -> m.contains("action"));
        String notARollout = EventCodec.toJson(EventCodec.envelope(EventTypes.ROLLOUT_CHANGED, "/test", rol,
                new RolloutEvent(EventIds.withPrefix("dep"), EventIds.withPrefix("org"), EventIds.withPrefix("prc"),
                        EventIds.withPrefix("dep"), RolloutEvent.ABORTED, "running-ish", 0, ActorRef.SYSTEM, null)));
        assertThat(EventSchemas.validate(notARollout)).anyMatch(m -> m.contains("rollout_id"))
                .anyMatch(m -> m.contains("state"));
    }

    @Test
    void envelopeRefusesDataOfTheWrongType() {
        assertThatThrownBy(() -> EventCodec.envelope(EventTypes.BUILD_STARTED, "/x", "s", "a string"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventCodec.parse("{\"id\":1")).isInstanceOf(EventCodec.MalformedEventException.class);
    }

    @Test
    void idsAreTimeOrderedAndWellFormed() throws InterruptedException {
        String a = EventIds.withPrefix("dep");
        Thread.sleep(2);
        String b = EventIds.withPrefix("dep");
        assertThat(a).matches("dep_[0-9a-z]{26}");
        assertThat(a.compareTo(b)).isNegative();
    }
}
