package io.benchline.deployments;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.OTHER_KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.procedureBody;
import static io.benchline.deployments.TestSupport.sha;
import static io.benchline.deployments.TestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** /v2/procedures: create, read, change, validation, API-key auth and organization scoping. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class ProcedureApiTest {

    @Test
    void createAnswers201WithLocationAndTheWebhookSecretOnce() {
        String name = unique("Voltage check");
        Map<String, Object> body = procedureBody(name, "https://github.com/Acme/Rig-" + name.hashCode() + ".git");
        body.put("production_branch", "release");
        body.put("auto_push", false);
        body.put("excluded_branches", List.of("wip/**", "tmp-*"));

        Response created = as(KEY).body(body).post("/v2/procedures");
        created.then().statusCode(201).contentType(ContentType.JSON);
        JsonPath p = created.jsonPath();
        String id = p.getString("id");
        assertThat(id).matches("prc_[0-9a-z]{26}");
        assertThat(created.header("Location")).endsWith("/v2/procedures/" + id);
        assertThat(p.getString("name")).isEqualTo(name);
        assertThat(p.getString("repository.provider")).isEqualTo("github");
        assertThat(p.getString("production_branch")).isEqualTo("release");
        assertThat(p.getBoolean("auto_push")).isFalse();
        assertThat(p.getList("excluded_branches")).containsExactly("wip/**", "tmp-*");
        String hookId = p.getString("webhook.id");
        assertThat(hookId).startsWith("hk_");
        assertThat(p.getString("webhook.github_url")).isEqualTo("http://localhost:8080/webhooks/github/" + hookId);
        assertThat(p.getString("webhook.gitlab_url")).isEqualTo("http://localhost:8080/webhooks/gitlab/" + hookId);
        assertThat(p.getString("webhook.secret")).matches("[0-9a-f]{64}");
        assertThat(p.getString("created_at")).isNotBlank();

        JsonPath read = as(KEY).get("/v2/procedures/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(read.getString("name")).isEqualTo(name);
        assertThat(read.getString("webhook.id")).isEqualTo(hookId);
        assertThat(read.getMap("webhook")).as("the secret is shown only once").doesNotContainKey("secret");

        List<Map<String, Object>> list = as(KEY).get("/v2/procedures").then().statusCode(200).extract().jsonPath()
                .getList("data");
        assertThat(list).anySatisfy(x -> {
            assertThat(x.get("id")).isEqualTo(id);
            assertThat(((Map<?, ?>) x.get("webhook")).containsKey("secret")).isFalse();
        });
    }

    @Test
    void defaultsAreMainAutoPushAndNoExclusions() {
        JsonPath p = createProcedure(KEY, "acme/" + unique("defaults"), Map.of());
        assertThat(p.getString("production_branch")).isEqualTo("main");
        assertThat(p.getBoolean("auto_push")).isTrue();
        assertThat(p.getList("excluded_branches")).isEmpty();
        assertThat(p.getString("webhook.id")).as("each procedure has its own hook")
                .isNotEqualTo(createProcedure(KEY, "acme/" + unique("defaults"), Map.of()).getString("webhook.id"));
    }

    @Test
    void patchChangesOnlyTheGivenFields() {
        JsonPath p = createProcedure(KEY, "acme/" + unique("patch"), Map.of());
        String id = p.getString("id");
        String newName = unique("renamed");

        JsonPath changed = as(KEY).body(Map.of("name", newName, "auto_push", false,
                        "excluded_branches", List.of("dependabot/**")))
                .patch("/v2/procedures/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(changed.getString("name")).isEqualTo(newName);
        assertThat(changed.getBoolean("auto_push")).isFalse();
        assertThat(changed.getList("excluded_branches")).containsExactly("dependabot/**");
        assertThat(changed.getString("production_branch")).isEqualTo("main");
        assertThat(changed.getString("repository.clone_url")).isEqualTo(p.getString("repository.clone_url"));
        assertThat(changed.getString("webhook.id")).isEqualTo(p.getString("webhook.id"));
        assertThat(changed.getMap("webhook")).doesNotContainKey("secret");

        JsonPath reread = as(KEY).get("/v2/procedures/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(reread.getString("name")).isEqualTo(newName);
        assertThat(reread.getBoolean("auto_push")).isFalse();

        as(KEY).body(Map.of("production_branch", "bad..branch")).patch("/v2/procedures/" + id)
                .then().statusCode(400).contentType("application/problem+json");
        as(KEY).body(Map.of("name", "x")).patch("/v2/procedures/prc_00000000000000000000000000")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aSecondProcedureWithTheSameNameIsAConflict() {
        JsonPath p = createProcedure(KEY, "acme/" + unique("dup"), Map.of());
        as(KEY).body(procedureBody(p.getString("name"), "https://github.com/acme/other.git")).post("/v2/procedures")
                .then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void concurrentCreatesWithTheSameNameGiveOne201AndOtherwise409() throws Exception {
        String name = unique("race");
        int n = 8;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            var start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                answers.add(pool.submit(() -> {
                    start.await();
                    return as(KEY).body(procedureBody(name, "https://github.com/acme/race-" + k + ".git"))
                            .post("/v2/procedures").statusCode();
                }));
            }
            start.countDown();
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var a : answers) {
                statuses.add(a.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(statuses).as("never a 500").containsOnly(201, 409);
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void invalidBodiesAre400ProblemsListingEachField() {
        Map<String, Object> bad = procedureBody("", "not a url");
        ((Map<String, Object>) bad.get("repository")).put("provider", "bitbucket");
        bad.put("production_branch", "-x");
        bad.put("excluded_branches", List.of(""));
        Response r = as(KEY).body(bad).post("/v2/procedures");
        r.then().statusCode(400).contentType("application/problem+json");
        JsonPath problem = r.jsonPath();
        assertThat(problem.getInt("status")).isEqualTo(400);
        assertThat(problem.getString("type")).isEqualTo("https://benchline.io/problems/invalid-request");
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getString("instance")).isEqualTo("/v2/procedures");
        assertThat(problem.getList("errors.field", String.class)).containsExactlyInAnyOrder("name",
                "repository.provider", "repository.clone_url", "production_branch", "excluded_branches[0]");

        JsonPath missing = as(KEY).body(Map.of()).post("/v2/procedures").then().statusCode(400)
                .contentType("application/problem+json").extract().jsonPath();
        assertThat(missing.getList("errors.field", String.class)).containsExactly("name");

        as(KEY).body(Map.of("name", "no-repo", "reconcile", Map.of("enabled", true))).post("/v2/procedures")
                .then().statusCode(400).body("errors[0].field", org.hamcrest.Matchers.equalTo("reconcile.enabled"));

        as(KEY).body("{\"name\": ").post("/v2/procedures")
                .then().statusCode(400).contentType("application/problem+json");
        as(KEY).body("{\"name\":\"a\",\"repository\":{\"provider\":\"github\",\"clone_url\":\"https://github.com/a/b\"},"
                        + "\"auto_push\":{\"x\":1}}").post("/v2/procedures")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("auto_push"));
    }

    @Test
    void everyV2EndpointNeedsAValidBearerKey() {
        String prc = createProcedure(KEY, "acme/" + unique("auth"), Map.of()).getString("id");
        String dep = "dep_00000000000000000000000000";
        List<String[]> calls = List.of(
                new String[] {"GET", "/v2/procedures"},
                new String[] {"POST", "/v2/procedures"},
                new String[] {"GET", "/v2/procedures/" + prc},
                new String[] {"PATCH", "/v2/procedures/" + prc},
                new String[] {"GET", "/v2/deployments"},
                new String[] {"POST", "/v2/deployments"},
                new String[] {"GET", "/v2/deployments/" + dep},
                new String[] {"GET", "/v2/deployments/" + dep + "/logs"},
                new String[] {"GET", "/v2/deployments/" + dep + "/stations"},
                new String[] {"GET", "/v2/deployments/" + dep + "/runs"},
                new String[] {"POST", "/v2/deployments/" + dep + "/rerun"},
                new String[] {"GET", "/v2/deployments/" + dep + "/contents"},
                new String[] {"GET", "/v2/deployments/" + dep + "/contents/main.py"},
                new String[] {"GET", "/v2/api-keys"},
                new String[] {"POST", "/v2/api-keys"},
                new String[] {"DELETE", "/v2/api-keys/key_00000000000000000000000000"});
        for (String[] call : calls) {
            for (String header : new String[] {null, "Bearer wrong-key", "Basic dGVzdDp0ZXN0", "Bearer "}) {
                var request = given().contentType(ContentType.JSON).body("{}");
                if (header != null) {
                    request.header("Authorization", header);
                }
                request.request(call[0], call[1]).then()
                        .statusCode(401)
                        .contentType("application/problem+json")
                        .header("WWW-Authenticate", "Bearer realm=\"benchline\"");
            }
        }
    }

    @Test
    void anotherOrganizationsProcedureDoesNotExist() {
        TestSupport.otherOrgId();
        JsonPath mine = createProcedure(KEY, "acme/" + unique("scoped"), Map.of());
        String id = mine.getString("id");

        as(OTHER_KEY).get("/v2/procedures/" + id).then().statusCode(404).contentType("application/problem+json");
        as(OTHER_KEY).body(Map.of("name", "stolen")).patch("/v2/procedures/" + id).then().statusCode(404);
        as(OTHER_KEY).body(Map.of("procedure_id", id, "branch", "main")).post("/v2/deployments")
                .then().statusCode(404);
        assertThat(as(OTHER_KEY).get("/v2/procedures").then().statusCode(200).extract().jsonPath()
                .getList("data.id", String.class)).doesNotContain(id);

        // The same name is free in the other organization: names are unique per organization only.
        as(OTHER_KEY).body(procedureBody(mine.getString("name"), "https://github.com/acme/x.git"))
                .post("/v2/procedures").then().statusCode(201);
        assertThat(as(KEY).get("/v2/procedures/" + id).then().statusCode(200).extract().jsonPath().getString("name"))
                .isEqualTo(mine.getString("name"));
    }

    /**
     * A procedure without a connected repository: its deployments come from uploads; a build from a commit is 409
     * until a repository is connected, which needs provider and clone URL together.
     */
    @Test
    void aProcedureNeedsNoRepositoryUntilItBuildsFromGit() {
        JsonPath created = as(KEY).body(Map.of("name", unique("no-repo"))).post("/v2/procedures").then()
                .statusCode(201).extract().jsonPath();
        String id = created.getString("id");
        assertThat(created.getMap("repository")).isNull();
        JsonPath refused = as(KEY).body(Map.of("procedure_id", id, "commit_sha", sha())).post("/v2/deployments")
                .then().statusCode(409).extract().jsonPath();
        assertThat(refused.getString("type")).endsWith("/no-repository");
        assertThat(refused.getString("detail")).contains("benchline deploy");
        as(KEY).body(Map.of("repository", Map.of("full_name", "acme/x"))).patch("/v2/procedures/" + id).then()
                .statusCode(400);
        as(KEY).body(Map.of("reconcile", Map.of("enabled", true))).patch("/v2/procedures/" + id).then()
                .statusCode(400);
        JsonPath connected = as(KEY).body(Map.of("repository", Map.of("provider", "github", "clone_url",
                        "https://github.com/acme/" + unique("connected") + ".git")))
                .patch("/v2/procedures/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(connected.getString("repository.provider")).isEqualTo("github");
        as(KEY).body(Map.of("procedure_id", id, "commit_sha", sha())).post("/v2/deployments").then().statusCode(202);
    }
}
