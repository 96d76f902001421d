package io.benchline.deployments;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.benchline.deployments.ApiKeyApiTest.forbidden;
import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.deploymentsOf;
import static io.benchline.deployments.TestSupport.failed;
import static io.benchline.deployments.TestSupport.pendingDeployment;
import static io.benchline.deployments.TestSupport.procedureBody;
import static io.benchline.deployments.TestSupport.sendCompleted;
import static io.benchline.deployments.TestSupport.sha;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Roles on deployment-service's routes: viewer reads, member also creates and re-runs deployments, admin also
 * creates and changes procedures and manages keys. A missing right is 403 problem JSON and changes nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class RolesTest {

    /** Every key may read what it is (id, name, role, organization); a missing or wrong key is 401. */
    @Test
    void everyKeyReadsItsOwnRole() {
        for (String role : java.util.List.of("viewer", "member", "admin")) {
            Map<String, String> created = RoleKeys.created(KEY, role);
            JsonPath current = as(created.get("secret")).get("/v2/api-keys/current").then().statusCode(200).extract()
                    .jsonPath();
            org.assertj.core.api.Assertions.assertThat(current.getString("id")).isEqualTo(created.get("id"));
            org.assertj.core.api.Assertions.assertThat(current.getString("role")).isEqualTo(role);
            org.assertj.core.api.Assertions.assertThat(current.getString("organization_id")).isNotBlank();
        }
        as("bk_not_a_key").get("/v2/api-keys/current").then().statusCode(401);
    }

    @Test
    void aViewerReadsEverythingAndChangesNothing() {
        String viewer = RoleKeys.newKey(KEY, "viewer");
        JsonPath procedure = createProcedure(KEY, "acme/" + unique("roles"), Map.of());
        String procedureId = procedure.getString("id");
        String failedOne = failedDeployment(procedureId);
        int keysBefore = as(KEY).get("/v2/api-keys").then().statusCode(200).extract().jsonPath().getList("data").size();
        String someKey = RoleKeys.created(KEY, "viewer").get("id");

        forbidden(as(viewer).body(procedureBody(unique("proc"), "https://github.com/acme/v.git"))
                .post("/v2/procedures"));
        forbidden(as(viewer).body(Map.of("name", "renamed", "auto_push", false))
                .patch("/v2/procedures/" + procedureId));
        forbidden(as(viewer).body(Map.of("procedure_id", procedureId, "commit_sha", sha())).post("/v2/deployments"));
        forbidden(as(viewer).post("/v2/deployments/" + failedOne + "/rerun"));
        forbidden(as(viewer).body(Map.of("name", "mine", "role", "admin")).post("/v2/api-keys"));
        forbidden(as(viewer).get("/v2/api-keys"));
        forbidden(as(viewer).delete("/v2/api-keys/" + someKey));
        // an invalid body from a viewer is still a 403: the right is checked first
        forbidden(as(viewer).body(Map.of()).post("/v2/deployments"));

        JsonPath after = as(KEY).get("/v2/procedures/" + procedureId).then().statusCode(200).extract().jsonPath();
        assertThat(after.getString("name")).isEqualTo(procedure.getString("name"));
        assertThat(after.getBoolean("auto_push")).isTrue();
        assertThat(as(KEY).get("/v2/procedures").then().extract().jsonPath().getList("data")).noneSatisfy(p ->
                assertThat(((Map<?, ?>) p).get("repository").toString()).contains("acme/v.git"));
        assertThat(deploymentsOf(KEY, procedureId)).as("no deployment was made").hasSize(1);
        assertThat(as(KEY).get("/v2/api-keys").then().extract().jsonPath().getList("data"))
                .as("no key was made").hasSize(keysBefore + 1);

        // ... and reads every route
        as(viewer).get("/v2/procedures").then().statusCode(200);
        as(viewer).get("/v2/procedures/" + procedureId).then().statusCode(200);
        as(viewer).get("/v2/deployments").then().statusCode(200);
        as(viewer).get("/v2/deployments/" + failedOne).then().statusCode(200);
        as(viewer).get("/v2/deployments/" + failedOne + "/logs").then().statusCode(200);
        as(viewer).get("/v2/deployments/" + failedOne + "/stations").then().statusCode(200);
        as(viewer).get("/v2/deployments/" + failedOne + "/runs").then().statusCode(200);
    }

    @Test
    void aMemberCreatesAndReRunsDeploymentsButNotProceduresOrKeys() {
        String member = RoleKeys.newKey(KEY, "member");
        JsonPath procedure = createProcedure(KEY, "acme/" + unique("member"), Map.of());
        String procedureId = procedure.getString("id");

        as(member).body(Map.of("procedure_id", procedureId, "commit_sha", sha())).post("/v2/deployments")
                .then().statusCode(202);
        as(member).post("/v2/deployments/" + failedDeployment(procedureId) + "/rerun").then().statusCode(202);

        forbidden(as(member).body(procedureBody(unique("proc"), "https://github.com/acme/m.git"))
                .post("/v2/procedures"));
        forbidden(as(member).body(Map.of("auto_push", false)).patch("/v2/procedures/" + procedureId));
        forbidden(as(member).body(Map.of("name", "mine", "role", "viewer")).post("/v2/api-keys"));
        forbidden(as(member).get("/v2/api-keys"));
        assertThat(as(KEY).get("/v2/procedures/" + procedureId).then().extract().jsonPath().getBoolean("auto_push"))
                .isTrue();
    }

    @Test
    void anAdminDoesEverything() {
        String admin = RoleKeys.newKey(KEY, "admin");
        JsonPath procedure = as(admin).body(procedureBody(unique("proc"), "https://github.com/acme/a.git"))
                .post("/v2/procedures").then().statusCode(201).extract().jsonPath();
        String procedureId = procedure.getString("id");
        as(admin).body(Map.of("auto_push", false)).patch("/v2/procedures/" + procedureId).then().statusCode(200);
        as(admin).body(Map.of("procedure_id", procedureId, "branch", "main")).post("/v2/deployments")
                .then().statusCode(202);
        String key = RoleKeys.created(admin, "viewer").get("id");
        as(admin).get("/v2/api-keys").then().statusCode(200);
        as(admin).delete("/v2/api-keys/" + key).then().statusCode(204);
    }

    /** A manual deployment whose build failed. */
    static String failedDeployment(String procedureId) {
        String id = pendingDeployment(procedureId);
        sendCompleted(failed(id, "procedure.yaml is invalid"), id);
        awaitStatus(id, "failed");
        return id;
    }

}
