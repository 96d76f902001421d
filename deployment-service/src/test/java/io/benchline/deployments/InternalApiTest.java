package io.benchline.deployments;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.OTHER_KEY;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.internal;
import static io.benchline.deployments.TestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** /internal/v1: API-key introspection for the other services and the webhook secrets webhook-service needs. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class InternalApiTest {

    @Test
    void introspectionNamesTheKeysOrganization() {
        JsonPath valid = internal().body(Map.of("api_key", KEY)).post("/internal/v1/auth/introspect")
                .then().statusCode(200).contentType(ContentType.JSON).extract().jsonPath();
        assertThat(valid.getString("org_id")).matches("org_[0-9a-z]{26}");
        assertThat(valid.getString("key_id")).matches("key_[0-9a-z]{26}");

        String other = TestSupport.otherOrgId();
        JsonPath otherKey = internal().body(Map.of("api_key", OTHER_KEY)).post("/internal/v1/auth/introspect")
                .then().statusCode(200).extract().jsonPath();
        assertThat(otherKey.getString("org_id")).isEqualTo(other).isNotEqualTo(valid.getString("org_id"));
        assertThat(otherKey.getString("key_id")).isNotEqualTo(valid.getString("key_id"));
    }

    @Test
    void badOrMissingKeysAre401() {
        internal().body(Map.of("api_key", "no-such-key")).post("/internal/v1/auth/introspect")
                .then().statusCode(401).contentType("application/problem+json");
        internal().body(Map.of("api_key", "")).post("/internal/v1/auth/introspect").then().statusCode(401);
        internal().body(Map.of()).post("/internal/v1/auth/introspect").then().statusCode(401);
        // the key's hash is not a key
        internal().body(Map.of("api_key", io.benchline.common.auth.IntrospectingApiKeyVerifier.sha256(KEY)))
                .post("/internal/v1/auth/introspect").then().statusCode(401);
    }

    @Test
    void internalEndpointsNeedTheInternalToken() {
        String hook = createProcedure(KEY, "acme/" + unique("token"), Map.of()).getString("webhook.id");
        for (String token : new String[] {null, "wrong-token", ""}) {
            var introspect = given().contentType(ContentType.JSON).body(Map.of("api_key", KEY));
            var hooks = given();
            if (token != null) {
                introspect.header("X-Benchline-Internal-Token", token);
                hooks.header("X-Benchline-Internal-Token", token);
            }
            introspect.post("/internal/v1/auth/introspect").then().statusCode(401)
                    .contentType("application/problem+json");
            hooks.get("/internal/v1/hooks/" + hook).then().statusCode(401).contentType("application/problem+json");
        }
        // an API key is not an internal token
        given().header("Authorization", "Bearer " + KEY).get("/internal/v1/hooks/" + hook).then().statusCode(401);
    }

    @Test
    void hooksAnswerTheirOrganizationAndSecret() {
        JsonPath procedure = createProcedure(KEY, "acme/" + unique("hook"), Map.of());
        String hookId = procedure.getString("webhook.id");
        JsonPath hook = internal().get("/internal/v1/hooks/" + hookId).then().statusCode(200).extract().jsonPath();
        assertThat(hook.getString("hook_id")).isEqualTo(hookId);
        assertThat(hook.getString("org_id")).isEqualTo(TestSupport.orgId());
        assertThat(hook.getString("secret")).isEqualTo(procedure.getString("webhook.secret"));

        internal().get("/internal/v1/hooks/hk_00000000000000000000000000").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void aRotatedSecretReplacesTheOneTheHookAnswersAndOnlyAdminsRotate() {
        JsonPath procedure = createProcedure(KEY, "acme/" + unique("rotate"), Map.of());
        String id = procedure.getString("id");
        String hookId = procedure.getString("webhook.id");
        String before = procedure.getString("webhook.secret");

        for (String role : new String[] {"viewer", "member"}) {
            given().header("Authorization", "Bearer " + RoleKeys.newKey(KEY, role))
                    .post("/v2/procedures/" + id + "/webhook-secret").then().statusCode(403)
                    .contentType("application/problem+json");
        }
        given().header("Authorization", "Bearer " + OTHER_KEY).post("/v2/procedures/" + id + "/webhook-secret")
                .then().statusCode(404).contentType("application/problem+json");
        assertThat(internal().get("/internal/v1/hooks/" + hookId).then().statusCode(200).extract().jsonPath()
                .getString("secret")).as("refused rotations change nothing").isEqualTo(before);

        JsonPath rotated = given().header("Authorization", "Bearer " + KEY)
                .post("/v2/procedures/" + id + "/webhook-secret").then().statusCode(200).extract().jsonPath();
        String after = rotated.getString("webhook.secret");
        assertThat(after).matches("[0-9a-f]{64}").isNotEqualTo(before);
        assertThat(rotated.getString("webhook.id")).as("the hook, so its URLs, stay").isEqualTo(hookId);
        assertThat(internal().get("/internal/v1/hooks/" + hookId).then().statusCode(200).extract().jsonPath()
                .getString("secret")).isEqualTo(after);
        assertThat(given().header("Authorization", "Bearer " + KEY).get("/v2/procedures/" + id).then()
                .statusCode(200).extract().jsonPath().getString("webhook.secret")).as("shown only once").isNull();

        JsonPath history = given().header("Authorization", "Bearer " + KEY).get("/v2/procedures/" + id + "/history")
                .then().statusCode(200).extract().jsonPath();
        assertThat(history.getList("data.action")).containsExactly("rotate_webhook_secret");
        assertThat(history.getString("data[0].actor.key_id")).matches("key_[0-9a-z]{26}");
        assertThat(history.getString("data[0].deployment_id")).isNull();
        assertThat(given().header("Authorization", "Bearer " + KEY).get("/v2/procedures/" + id).asString())
                .doesNotContain(after);
    }
}
