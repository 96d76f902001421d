package io.benchline.deployments;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.OTHER_KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.internal;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/** /v2/api-keys: create (secret once), list, revoke (refused at once), validation, admin only, organization scope. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class ApiKeyApiTest {

    @Test
    void createAnswers201WithTheSecretOnceAndTheKeyWorksWithItsRole() {
        String bootstrapKeyId = internal().body(Map.of("api_key", KEY)).post("/internal/v1/auth/introspect")
                .then().statusCode(200).extract().path("key_id");
        String name = unique("CI deployer");
        Response created = as(KEY).body(Map.of("name", "  " + name + " ", "role", "member")).post("/v2/api-keys");
        created.then().statusCode(201).contentType(ContentType.JSON);
        JsonPath key = created.jsonPath();
        String id = key.getString("id");
        assertThat(id).matches("key_[0-9a-z]{26}");
        assertThat(created.header("Location")).endsWith("/v2/api-keys/" + id);
        assertThat(key.getString("name")).as("trimmed").isEqualTo(name);
        assertThat(key.getString("role")).isEqualTo("member");
        assertThat(Instant.parse(key.getString("created_at"))).isBeforeOrEqualTo(Instant.now());
        assertThat(key.getString("created_by.key_id")).isEqualTo(bootstrapKeyId);
        assertThat(key.getString("created_by.name")).isEqualTo("bootstrap");
        String secret = key.getString("secret");
        assertThat(secret).matches("blk_[0-9a-f]{48}");
        assertThat(RoleKeys.newKey(KEY, "member")).as("every key is random").isNotEqualTo(secret);

        JsonPath introspected = internal().body(Map.of("api_key", secret)).post("/internal/v1/auth/introspect")
                .then().statusCode(200).extract().jsonPath();
        assertThat(introspected.getString("org_id")).isEqualTo(TestSupport.orgId());
        assertThat(introspected.getString("key_id")).isEqualTo(id);
        assertThat(introspected.getString("key_name")).isEqualTo(name);
        assertThat(introspected.getString("role")).isEqualTo("member");
        JsonPath bootstrap = internal().body(Map.of("api_key", KEY)).post("/internal/v1/auth/introspect")
                .then().statusCode(200).extract().jsonPath();
        assertThat(bootstrap.getString("role")).as("the bootstrap key is admin").isEqualTo("admin");
        assertThat(bootstrap.getString("key_name")).isEqualTo("bootstrap");

        as(secret).get("/v2/deployments").then().statusCode(200);

        List<Map<String, Object>> listed = as(KEY).get("/v2/api-keys").then().statusCode(200)
                .contentType(ContentType.JSON).extract().jsonPath().getList("data");
        Map<String, Object> mine = listed.stream().filter(k -> id.equals(k.get("id"))).findFirst().orElseThrow();
        assertThat(mine).doesNotContainKey("secret").containsEntry("name", name).containsEntry("role", "member")
                .containsEntry("created_at", key.getString("created_at")).containsEntry("revoked_at", null)
                .containsEntry("created_by", Map.of("key_id", bootstrapKeyId, "name", "bootstrap"));
        assertThat(listed).anySatisfy(k -> {
            assertThat(k.get("id")).isEqualTo(bootstrapKeyId);
            assertThat(k.get("role")).isEqualTo("admin");
            assertThat(k.get("created_by")).isNull();
        });
        assertThat(listed).extracting(k -> Instant.parse((String) k.get("created_at")))
                .as("newest first").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(listed.toString()).doesNotContain(secret);
    }

    @Test
    void aRevokedKeyIsRefusedAtOnceAndStaysListedAsRevoked() {
        Map<String, String> key = RoleKeys.created(KEY, "viewer");
        String id = key.get("id");
        String secret = key.get("secret");
        as(secret).get("/v2/procedures").then().statusCode(200);

        as(KEY).delete("/v2/api-keys/" + id).then().statusCode(204);

        as(secret).get("/v2/procedures").then().statusCode(401).contentType("application/problem+json");
        internal().body(Map.of("api_key", secret)).post("/internal/v1/auth/introspect").then().statusCode(401);
        Map<String, Object> listed = as(KEY).get("/v2/api-keys").then().statusCode(200).extract().jsonPath()
                .<Map<String, Object>>getList("data").stream().filter(k -> id.equals(k.get("id"))).findFirst()
                .orElseThrow();
        String revokedAt = (String) listed.get("revoked_at");
        assertThat(Instant.parse(revokedAt)).isBeforeOrEqualTo(Instant.now());

        // Revoking again changes nothing: still 204, the first time stays.
        as(KEY).delete("/v2/api-keys/" + id).then().statusCode(204);
        assertThat(as(KEY).get("/v2/api-keys").then().extract().jsonPath()
                .<Map<String, Object>>getList("data").stream().filter(k -> id.equals(k.get("id"))).findFirst()
                .orElseThrow().get("revoked_at")).isEqualTo(revokedAt);
        as(KEY).delete("/v2/api-keys/key_00000000000000000000000000").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void anAdminMayRevokeTheKeyItCallsWith() {
        String admin = RoleKeys.newKey(KEY, "admin");
        String id = internal().body(Map.of("api_key", admin)).post("/internal/v1/auth/introspect")
                .then().statusCode(200).extract().path("key_id");
        as(admin).delete("/v2/api-keys/" + id).then().statusCode(204);
        as(admin).get("/v2/api-keys").then().statusCode(401);
    }

    @Test
    void onlyAdminsManageKeys() {
        String member = RoleKeys.newKey(KEY, "member");
        String viewer = RoleKeys.newKey(KEY, "viewer");
        String victim = RoleKeys.created(KEY, "viewer").get("id");
        int before = keyCount(KEY);
        for (String key : List.of(member, viewer)) {
            forbidden(as(key).body(Map.of("name", "escalate", "role", "admin")).post("/v2/api-keys"));
            forbidden(as(key).get("/v2/api-keys"));
            forbidden(as(key).delete("/v2/api-keys/" + victim));
        }
        assertThat(keyCount(KEY)).as("no key was made").isEqualTo(before);
        assertThat(as(KEY).get("/v2/api-keys").then().extract().jsonPath()
                .<Map<String, Object>>getList("data").stream().filter(k -> victim.equals(k.get("id"))).findFirst()
                .orElseThrow().get("revoked_at")).as("nothing was revoked").isNull();
    }

    @Test
    void anotherOrganizationsKeysDoNotExist() {
        TestSupport.otherOrgId();
        Map<String, String> mine = RoleKeys.created(KEY, "viewer");
        as(OTHER_KEY).delete("/v2/api-keys/" + mine.get("id")).then().statusCode(404)
                .contentType("application/problem+json");
        as(mine.get("secret")).get("/v2/deployments").then().statusCode(200);
        assertThat(as(OTHER_KEY).get("/v2/api-keys").then().statusCode(200).extract().jsonPath()
                .getList("data.id", String.class)).doesNotContain(mine.get("id")).isNotEmpty();
        assertThat(as(KEY).get("/v2/api-keys").then().extract().jsonPath().getList("data.id", String.class))
                .contains(mine.get("id"));
    }

    @Test
    void invalidBodiesAre400ProblemsListingEachField() {
        int before = keyCount(KEY);
        JsonPath both = as(KEY).body(Map.of("name", "", "role", "owner")).post("/v2/api-keys").then().statusCode(400)
                .contentType("application/problem+json").extract().jsonPath();
        assertThat(both.getString("type")).isEqualTo("https://benchline.io/problems/invalid-request");
        assertThat(both.getList("errors.field", String.class)).containsExactlyInAnyOrder("name", "role");

        assertThat(invalidFields(Map.of())).containsExactlyInAnyOrder("name", "role");
        assertThat(invalidFields(Map.of("name", "x".repeat(101), "role", "viewer"))).containsExactly("name");
        assertThat(invalidFields(Map.of("name", "line\nbreak", "role", "viewer"))).containsExactly("name");
        assertThat(invalidFields(Map.of("name", "bell\u0007", "role", "viewer"))).containsExactly("name");
        assertThat(invalidFields(Map.of("name", "ok", "role", "ADMIN"))).containsExactly("role");
        as(KEY).body("{\"name\": ").post("/v2/api-keys").then().statusCode(400)
                .contentType("application/problem+json");
        as(KEY).body("{\"name\":\"a\",\"role\":[\"admin\"]}").post("/v2/api-keys").then().statusCode(400)
                .contentType("application/problem+json");
        assertThat(keyCount(KEY)).isEqualTo(before);

        as(KEY).body(Map.of("name", "x".repeat(100), "role", "viewer")).post("/v2/api-keys").then().statusCode(201);
    }

    private static List<String> invalidFields(Map<String, Object> body) {
        return as(KEY).body(body).post("/v2/api-keys").then().statusCode(400).contentType("application/problem+json")
                .extract().jsonPath().getList("errors.field", String.class);
    }

    private static int keyCount(String adminKey) {
        return as(adminKey).get("/v2/api-keys").then().statusCode(200).extract().jsonPath().getList("data").size();
    }

    static void forbidden(Response response) {
        response.then().statusCode(403).contentType("application/problem+json");
        JsonPath problem = response.jsonPath();
        assertThat(problem.getString("type")).isEqualTo("https://benchline.io/problems/missing-role");
        assertThat(problem.getInt("status")).isEqualTo(403);
        assertThat(problem.getString("detail")).contains("needs an API key with role");
    }
}
