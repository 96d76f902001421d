package io.benchline.deployments;

import io.benchline.events.BuildRequested;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.DeploymentRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventSchemas;
import io.benchline.events.EventTypes;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.OTHER_KEY;
import static io.benchline.deployments.TestSupport.WAIT;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.awaitDeployments;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.deployment;
import static io.benchline.deployments.TestSupport.deploymentsOf;
import static io.benchline.deployments.TestSupport.newDeliveryId;
import static io.benchline.deployments.TestSupport.orgId;
import static io.benchline.deployments.TestSupport.push;
import static io.benchline.deployments.TestSupport.sendPush;
import static io.benchline.deployments.TestSupport.sha;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * deployment.requested on a real broker: which pushes make which deployments, what is published, and that
 * a push is never turned into two deployments. "Nothing happened" is observed by sending a marker push
 * with the same Kafka key afterwards: once the marker's deployment exists, everything before it was handled.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class PushHandlingTest {

    @Test
    void aPushToTheProductionBranchMakesOnePendingProductionDeploymentAndPublishesIt() {
        String repo = "Acme/" + unique("rig");
        JsonPath procedure = createProcedure(KEY, repo.toLowerCase(), Map.of());
        String procedureId = procedure.getString("id");
        String commit = sha();

        DeploymentRequested push = push(orgId(), repo, newDeliveryId(), "main", commit);
        sendPush(push);

        Map<String, Object> listed = awaitDeployments(procedureId, 1).get(0);
        String id = (String) listed.get("id");
        JsonPath d = deployment(id);
        assertThat(id).matches("dep_[0-9a-z]{26}");
        assertThat(d.getString("status")).isEqualTo("pending");
        assertThat(d.getString("environment")).isEqualTo("production");
        assertThat(d.getString("trigger")).isEqualTo("auto");
        assertThat(d.getString("source")).isEqualTo("git");
        assertThat(d.getLong("sequence")).isEqualTo(1);
        assertThat(d.getString("procedure.id")).isEqualTo(procedureId);
        assertThat(d.getString("procedure.name")).isEqualTo(procedure.getString("name"));
        assertThat(d.getString("commit.sha")).isEqualTo(commit);
        assertThat(d.getString("commit.message")).isEqualTo("Fix the limits");
        assertThat(d.getString("commit.author")).isEqualTo("Ada <ada@example.com>");
        assertThat(d.getString("commit.branch")).isEqualTo("main");
        assertThat(d.getString("created_at")).isNotBlank();
        assertThat(d.getString("started_at")).isNull();
        assertThat(d.getString("artifact")).isNull();
        assertThat(d.getLong("active_stations")).isZero();

        List<ConsumerRecord<String, String>> requested = KafkaTestClient.readUntil(Topics.BUILD_REQUESTED,
                rs -> rs.stream().anyMatch(r -> id.equals(r.key())), WAIT);
        ConsumerRecord<String, String> record = requested.stream().filter(r -> id.equals(r.key())).findFirst()
                .orElseThrow(() -> new AssertionError("no build.requested for " + id));
        assertThat(EventSchemas.validate(record.value())).isEmpty();
        EventEnvelope envelope = EventCodec.parse(record.value());
        assertThat(envelope.type()).isEqualTo(EventTypes.BUILD_REQUESTED);
        assertThat(envelope.source()).isEqualTo("/deployment-service");
        assertThat(envelope.subject()).isEqualTo(id);
        assertThat(KafkaTestClient.header(record, EventEnvelope.HEADER_ID)).isEqualTo(envelope.id());
        assertThat(KafkaTestClient.header(record, EventEnvelope.HEADER_TYPE)).isEqualTo(EventTypes.BUILD_REQUESTED);
        BuildRequested build = EventCodec.data(envelope, BuildRequested.class);
        assertThat(build.deploymentId()).isEqualTo(id);
        assertThat(build.orgId()).isEqualTo(orgId());
        assertThat(build.procedureId()).isEqualTo(procedureId);
        assertThat(build.procedureName()).isEqualTo(procedure.getString("name"));
        assertThat(build.environment()).isEqualTo("production");
        assertThat(build.sequence()).isEqualTo(1);
        assertThat(build.source().kind()).isEqualTo("git");
        assertThat(build.source().cloneUrl()).isEqualTo(procedure.getString("repository.clone_url"));
        assertThat(build.source().commitSha()).isEqualTo(commit);
        assertThat(build.source().branch()).isEqualTo("main");

        List<ConsumerRecord<String, String>> events = KafkaTestClient.readUntil(Topics.DEPLOYMENT_EVENTS,
                rs -> rs.stream().anyMatch(r -> id.equals(r.key())), WAIT);
        ConsumerRecord<String, String> created = events.stream().filter(r -> id.equals(r.key())).findFirst()
                .orElseThrow(() -> new AssertionError("no deployment.events for " + id));
        assertThat(EventSchemas.validate(created.value())).isEmpty();
        assertThat(KafkaTestClient.header(created, EventEnvelope.HEADER_TYPE)).isEqualTo(EventTypes.DEPLOYMENT_LIFECYCLE);
        DeploymentEvent event = EventCodec.data(EventCodec.parse(created.value()), DeploymentEvent.class);
        assertThat(event.change()).isEqualTo(DeploymentEvent.CREATED);
        assertThat(event.status()).isEqualTo("pending");
        assertThat(event.environment()).isEqualTo("production");
        assertThat(event.trigger()).isEqualTo("auto");
        assertThat(event.autoPush()).isTrue();
        assertThat(event.commitSha()).isEqualTo(commit);
        assertThat(event.artifact()).isNull();
    }

    @Test
    void aPushToAnotherBranchIsAPreviewAndSequencesIncrease() {
        String repo = "acme/" + unique("preview");
        String procedureId = createProcedure(KEY, repo, Map.of()).getString("id");

        sendPush(push(orgId(), repo, newDeliveryId(), "feature/login", sha()));
        sendPush(push(orgId(), repo, newDeliveryId(), "main", sha()));

        List<Map<String, Object>> ds = awaitDeployments(procedureId, 2);
        // newest first
        assertThat(ds).extracting(d -> (Object) d.get("environment")).containsExactly("production", "preview");
        assertThat(ds).extracting(d -> ((Number) d.get("sequence")).longValue()).containsExactly(2L, 1L);
        assertThat(ds).extracting(d -> (Object) ((Map<?, ?>) d.get("commit")).get("branch"))
                .containsExactly("main", "feature/login");
        assertThat(ds).allSatisfy(d -> assertThat(d.get("trigger")).isEqualTo("auto"));
    }

    @Test
    void aCustomProductionBranchDecidesTheEnvironment() {
        String repo = "acme/" + unique("release");
        String procedureId = createProcedure(KEY, repo, Map.of("production_branch", "release")).getString("id");
        sendPush(push(orgId(), repo, newDeliveryId(), "main", sha()));
        assertThat(awaitDeployments(procedureId, 1).get(0).get("environment")).isEqualTo("preview");
        sendPush(push(orgId(), repo, newDeliveryId(), "release", sha()));
        assertThat(awaitDeployments(procedureId, 2).get(0).get("environment")).isEqualTo("production");
    }

    @Test
    void aRedeliveredPushNeverMakesASecondDeployment() {
        String repo = "acme/" + unique("dedup");
        String procedureId = createProcedure(KEY, repo, Map.of()).getString("id");
        DeploymentRequested push = push(orgId(), repo, newDeliveryId(), "main", sha());

        EventEnvelope first = sendPush(push);
        // the very same event again (Kafka redelivery, outbox resend)
        TestSupport.send(Topics.DEPLOYMENT_REQUESTED, repo, first);
        // the same provider delivery republished under a new event id
        sendPush(push);
        sendPush(push);
        String marker = sha();
        sendPush(push(orgId(), repo, newDeliveryId(), "main", marker));

        List<Map<String, Object>> ds = TestSupport.await("the marker deployment", () -> deploymentsOf(KEY, procedureId),
                l -> l.stream().anyMatch(d -> marker.equals(((Map<?, ?>) d.get("commit")).get("sha"))));
        assertThat(ds).hasSize(2);
        assertThat(ds).extracting(d -> (Object) ((Map<?, ?>) d.get("commit")).get("sha"))
                .containsExactly(marker, push.commitSha());
    }

    @Test
    void tagsDeletionsExcludedBranchesAndPushesWithoutACommitBuildNothing() {
        String repo = "acme/" + unique("skip");
        String procedureId = createProcedure(KEY, repo, Map.of("excluded_branches", List.of("wip/**", "tmp-*")))
                .getString("id");
        DeploymentRequested base = push(orgId(), repo, newDeliveryId(), "main", sha());
        String zero = "0".repeat(40);

        DeploymentRequested tag = new DeploymentRequested("github", newDeliveryId(), "hk_test", orgId(),
                base.repository(), "refs/tags/v1.0", "tag", "v1.0", zero, sha(), sha(), base.headCommit(), true,
                false, false, "ada", 1);
        DeploymentRequested tagByRefOnly = new DeploymentRequested("github", newDeliveryId(), "hk_test", orgId(),
                base.repository(), "refs/tags/v1.1", null, "v1.1", zero, sha(), sha(), base.headCommit(), true,
                false, false, "ada", 1);
        DeploymentRequested deletion = new DeploymentRequested("github", newDeliveryId(), "hk_test", orgId(),
                base.repository(), "refs/heads/feature", "branch", "feature", sha(), zero, null, null, false, true,
                false, "ada", 0);
        DeploymentRequested noCommit = new DeploymentRequested("github", newDeliveryId(), "hk_test", orgId(),
                base.repository(), "refs/heads/empty", "branch", "empty", sha(), sha(), null, null, false, false,
                false, "ada", 0);
        sendPush(tag);
        sendPush(tagByRefOnly);
        sendPush(deletion);
        sendPush(noCommit);
        sendPush(push(orgId(), repo, newDeliveryId(), "wip/deep/thing", sha()));
        sendPush(push(orgId(), repo, newDeliveryId(), "tmp-1", sha()));
        String marker = sha();
        sendPush(push(orgId(), repo, newDeliveryId(), "tmp/not-excluded", marker));

        List<Map<String, Object>> ds = TestSupport.await("the marker deployment", () -> deploymentsOf(KEY, procedureId),
                l -> !l.isEmpty());
        assertThat(ds).hasSize(1);
        assertThat(((Map<?, ?>) ds.get(0).get("commit")).get("sha")).isEqualTo(marker);
    }

    @Test
    void repositoriesMatchWhateverUrlFormTheyUse() {
        String name = unique("forms");
        // The procedure names its repository by ssh URL with a different case; the push carries https URLs.
        Map<String, Object> body = TestSupport.procedureBody(unique("proc"), "git@GitHub.com:Acme/" + name + ".git");
        String sshProcedure = as(KEY).body(body).post("/v2/procedures").then().statusCode(201).extract().path("id");
        // Matched by full name only: the push carries no URL at all.
        String fullNameProcedure = createProcedure(KEY, "acme/" + name, Map.of()).getString("id");

        DeploymentRequested withUrls = push(orgId(), "acme/" + name, newDeliveryId(), "main", sha());
        sendPush(withUrls);
        assertThat(awaitDeployments(sshProcedure, 1)).hasSize(1);
        assertThat(awaitDeployments(fullNameProcedure, 1)).hasSize(1);

        String commitA = sha();
        String commitB = sha();
        DeploymentRequested fullNameOnly = new DeploymentRequested("gitlab", newDeliveryId(), "hk_test", orgId(),
                new DeploymentRequested.Repository("Acme/" + name, null, null, null), "refs/heads/dev", "branch",
                "dev", sha(), commitA, commitA, null, false, false, false, "ada", 1);
        sendPush(fullNameOnly);
        assertThat(awaitDeployments(sshProcedure, 2)).hasSize(2);

        DeploymentRequested urlOnly = new DeploymentRequested("github", newDeliveryId(), "hk_test", orgId(),
                new DeploymentRequested.Repository(null, "https://github.com/ACME/" + name, null, null),
                "refs/heads/dev2", "branch", "dev2", sha(), commitB, commitB, null, false, false, false, "ada", 1);
        TestSupport.send(Topics.DEPLOYMENT_REQUESTED, "acme/" + name,
                TestSupport.envelope(EventTypes.DEPLOYMENT_REQUESTED, "acme/" + name, urlOnly));
        assertThat(awaitDeployments(fullNameProcedure, 3)).hasSize(3);
        assertThat(awaitDeployments(sshProcedure, 3)).hasSize(3);
    }

    @Test
    void aPushOfOneOrganizationNeverBuildsAnotherOrganizationsProcedure() {
        String otherOrg = TestSupport.otherOrgId();
        String repo = "acme/" + unique("tenant");
        String mine = createProcedure(KEY, repo, Map.of()).getString("id");
        String theirs = createProcedure(OTHER_KEY, repo, Map.of()).getString("id");

        sendPush(push(otherOrg, repo, newDeliveryId(), "main", sha()));
        String marker = sha();
        sendPush(push(orgId(), repo, newDeliveryId(), "main", marker));

        List<Map<String, Object>> myDeployments = awaitDeployments(mine, 1);
        assertThat(myDeployments).hasSize(1);
        assertThat(((Map<?, ?>) myDeployments.get(0).get("commit")).get("sha")).isEqualTo(marker);
        List<Map<String, Object>> theirDeployments = deploymentsOf(OTHER_KEY, theirs);
        assertThat(theirDeployments).hasSize(1);
        assertThat(((Map<?, ?>) theirDeployments.get(0).get("commit")).get("sha")).isNotEqualTo(marker);
        // and neither organization sees the other's deployment
        as(OTHER_KEY).get("/v2/deployments/" + myDeployments.get(0).get("id")).then().statusCode(404);
        as(KEY).get("/v2/deployments/" + theirDeployments.get(0).get("id")).then().statusCode(404);
        assertThat(deploymentsOf(KEY, theirs)).isEmpty();
    }

    @Test
    void aManualDeploymentIsAPendingPreviewWithTriggerManual() {
        String repo = "acme/" + unique("manual");
        String procedureId = createProcedure(KEY, repo, Map.of()).getString("id");
        String commit = sha().toUpperCase();

        var response = as(KEY).body(Map.of("procedure_id", procedureId, "commit_sha", commit))
                .post("/v2/deployments");
        response.then().statusCode(202);
        JsonPath d = response.jsonPath();
        assertThat(response.header("Location")).endsWith("/v2/deployments/" + d.getString("id"));
        assertThat(d.getString("status")).isEqualTo("pending");
        assertThat(d.getString("environment")).isEqualTo("preview");
        assertThat(d.getString("trigger")).isEqualTo("manual");
        assertThat(d.getString("commit.sha")).isEqualTo(commit.toLowerCase());

        JsonPath byBranch = as(KEY).body(Map.of("procedure_id", procedureId, "branch", "main"))
                .post("/v2/deployments").then().statusCode(202).extract().jsonPath();
        assertThat(byBranch.getString("commit.branch")).isEqualTo("main");
        assertThat(byBranch.getString("environment")).as("production only by promote").isEqualTo("preview");
        assertThat(byBranch.getLong("sequence")).isEqualTo(2);

        as(KEY).body(Map.of("procedure_id", procedureId)).post("/v2/deployments")
                .then().statusCode(400).contentType("application/problem+json");
        as(KEY).body(Map.of("procedure_id", procedureId, "commit_sha", "abc")).post("/v2/deployments")
                .then().statusCode(400).contentType("application/problem+json");
        as(KEY).body(Map.of("procedure_id", "prc_00000000000000000000000000", "branch", "main"))
                .post("/v2/deployments").then().statusCode(404).contentType("application/problem+json");

        String id = byBranch.getString("id");
        KafkaTestClient.readUntil(Topics.BUILD_REQUESTED, rs -> rs.stream().anyMatch(r -> id.equals(r.key())), WAIT)
                .stream().filter(r -> id.equals(r.key())).findFirst()
                .ifPresentOrElse(r -> {
                    assertThat(EventSchemas.validate(r.value())).isEmpty();
                    BuildRequested b = EventCodec.data(EventCodec.parse(r.value()), BuildRequested.class);
                    assertThat(b.source().commitSha()).isNull();
                    assertThat(b.source().branch()).isEqualTo("main");
                }, () -> {
                    throw new AssertionError("no build.requested for the manual deployment " + id);
                });
    }
}
