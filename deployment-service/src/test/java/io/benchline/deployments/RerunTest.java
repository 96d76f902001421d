package io.benchline.deployments;

import io.benchline.events.BuildRequested;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventSchemas;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.OTHER_KEY;
import static io.benchline.deployments.TestSupport.WAIT;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.at;
import static io.benchline.deployments.TestSupport.awaitDeployments;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.deployment;
import static io.benchline.deployments.TestSupport.deploymentsOf;
import static io.benchline.deployments.TestSupport.digest;
import static io.benchline.deployments.TestSupport.failed;
import static io.benchline.deployments.TestSupport.newDeliveryId;
import static io.benchline.deployments.TestSupport.orgId;
import static io.benchline.deployments.TestSupport.pendingDeployment;
import static io.benchline.deployments.TestSupport.push;
import static io.benchline.deployments.TestSupport.ready;
import static io.benchline.deployments.TestSupport.sendCompleted;
import static io.benchline.deployments.TestSupport.sendPush;
import static io.benchline.deployments.TestSupport.sendStarted;
import static io.benchline.deployments.TestSupport.sha;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /v2/deployments/{id}/rerun: a failed deployment's commit built again as a new deployment with retry_of. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class RerunTest {

    @Test
    void aFailedPushBuildIsBuiltAgainAsANewPendingDeploymentOfTheSameCommit() {
        String repo = "acme/" + unique("rerun");
        JsonPath procedure = createProcedure(KEY, repo, Map.of());
        String procedureId = procedure.getString("id");
        String commit = sha();
        sendPush(push(orgId(), repo, newDeliveryId(), "main", commit));
        String failedId = (String) awaitDeployments(procedureId, 1).get(0).get("id");
        sendCompleted(failed(failedId, "requirements.txt: no such package"), failedId);
        JsonPath failedOne = awaitStatus(failedId, "failed");

        Response answer = as(KEY).post("/v2/deployments/" + failedId + "/rerun");
        answer.then().statusCode(202).contentType("application/json");
        JsonPath again = answer.jsonPath();
        String id = again.getString("id");
        assertThat(id).matches("dep_[0-9a-z]{26}").isNotEqualTo(failedId);
        assertThat(answer.header("Location")).endsWith("/v2/deployments/" + id);
        assertThat(again.getString("status")).isEqualTo("pending");
        assertThat(again.getString("retry_of")).isEqualTo(failedId);
        assertThat(again.getString("trigger")).isEqualTo("manual");
        assertThat(again.getString("environment")).isEqualTo(failedOne.getString("environment"))
                .isEqualTo("production");
        assertThat(again.getString("source")).isEqualTo("git");
        assertThat(again.getMap("commit")).isEqualTo(failedOne.getMap("commit"));
        assertThat(again.getString("commit.sha")).isEqualTo(commit);
        assertThat(again.getString("commit.message")).isEqualTo("Fix the limits");
        assertThat(again.getLong("sequence")).isGreaterThan(failedOne.getLong("sequence"));
        assertThat(again.getString("failure_reason")).isNull();
        assertThat(deployment(id).getString("retry_of")).isEqualTo(failedId);
        assertThat(deployment(failedId).getString("status")).as("the failed one stays as it was").isEqualTo("failed");

        List<ConsumerRecord<String, String>> requested = KafkaTestClient.readUntil(Topics.BUILD_REQUESTED,
                rs -> rs.stream().anyMatch(r -> id.equals(r.key())), WAIT);
        ConsumerRecord<String, String> record = requested.stream().filter(r -> id.equals(r.key())).findFirst()
                .orElseThrow(() -> new AssertionError("no build.requested for " + id));
        assertThat(EventSchemas.validate(record.value())).isEmpty();
        BuildRequested build = EventCodec.data(EventCodec.parse(record.value()), BuildRequested.class);
        assertThat(build.source().commitSha()).isEqualTo(commit);
        assertThat(build.source().branch()).isEqualTo("main");
        assertThat(build.source().cloneUrl()).isEqualTo(procedure.getString("repository.clone_url"));
        assertThat(build.environment()).isEqualTo("production");
        assertThat(build.procedureId()).isEqualTo(procedureId);

        List<ConsumerRecord<String, String>> events = KafkaTestClient.readUntil(Topics.DEPLOYMENT_EVENTS,
                rs -> rs.stream().anyMatch(r -> id.equals(r.key())), WAIT);
        DeploymentEvent created = events.stream().filter(r -> id.equals(r.key()))
                .map(r -> EventCodec.data(EventCodec.parse(r.value()), DeploymentEvent.class)).findFirst()
                .orElseThrow();
        assertThat(created.change()).isEqualTo(DeploymentEvent.CREATED);
        assertThat(created.commitSha()).isEqualTo(commit);
        assertThat(created.trigger()).isEqualTo("manual");

        // the re-run builds like any deployment, and a failed re-run can be re-run again
        sendCompleted(failed(id, "still broken"), id);
        awaitStatus(id, "failed");
        String third = as(KEY).post("/v2/deployments/" + id + "/rerun").then().statusCode(202).extract().path("id");
        assertThat(deployment(third).getString("retry_of")).isEqualTo(id);
        assertThat(deployment(third).getString("commit.sha")).isEqualTo(commit);
    }

    @Test
    void onlyAFailedDeploymentCanBeReRun() {
        String procedureId = createProcedure(KEY, "acme/" + unique("not-failed"), Map.of()).getString("id");
        String pending = pendingDeployment(procedureId);
        String building = pendingDeployment(procedureId);
        sendStarted(building, building, at(5));
        awaitStatus(building, "building");
        String ready = pendingDeployment(procedureId);
        sendCompleted(ready(ready, at(5), at(1), digest()), ready);
        awaitStatus(ready, "ready");

        for (String[] d : new String[][] {{pending, "pending"}, {building, "building"}, {ready, "ready"}}) {
            JsonPath problem = as(KEY).post("/v2/deployments/" + d[0] + "/rerun").then().statusCode(409)
                    .contentType("application/problem+json").extract().jsonPath();
            assertThat(problem.getString("type")).isEqualTo("https://benchline.io/problems/not-failed");
            assertThat(problem.getString("detail")).contains(d[0]).contains(d[1]);
            assertThat(problem.getString("deployment_status")).isEqualTo(d[1]);
        }
        assertThat(deploymentsOf(KEY, procedureId)).as("nothing was made").hasSize(3);
    }

    @Test
    void unknownAndOtherOrganizationsDeploymentsDoNotExist() {
        TestSupport.otherOrgId();
        String procedureId = createProcedure(KEY, "acme/" + unique("rerun-scope"), Map.of()).getString("id");
        String failedId = RolesTest.failedDeployment(procedureId);

        as(OTHER_KEY).post("/v2/deployments/" + failedId + "/rerun").then().statusCode(404)
                .contentType("application/problem+json");
        as(KEY).post("/v2/deployments/dep_00000000000000000000000000/rerun").then().statusCode(404)
                .contentType("application/problem+json");
        assertThat(deploymentsOf(KEY, procedureId)).hasSize(1);
        assertThat(deploymentsOf(OTHER_KEY, procedureId)).isEmpty();
    }
}
