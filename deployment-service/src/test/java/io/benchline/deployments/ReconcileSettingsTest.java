package io.benchline.deployments;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.pendingDeployment;
import static io.benchline.deployments.TestSupport.procedureBody;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** The procedures API's {@code reconcile} settings: defaults, validation as problem JSON, PATCH semantics. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class ReconcileSettingsTest {

    @Test
    void defaultsAreOffEveryFiveMinutesAndShowOnEveryRead() {
        JsonPath p = createProcedure(KEY, "acme/" + unique("defaults"), Map.of());
        String id = p.getString("id");
        for (JsonPath read : List.of(p, as(KEY).get("/v2/procedures/" + id).then().statusCode(200).extract().jsonPath())) {
            assertThat(read.getBoolean("reconcile.enabled")).isFalse();
            assertThat(read.getString("reconcile.interval")).isEqualTo("5m");
            assertThat(read.getString("reconcile.last_reconciled_at")).isNull();
            assertThat(read.getString("reconcile.last_error")).isNull();
        }
        as(KEY).get("/v2/procedures").then().statusCode(200).body("data.reconcile.enabled", hasItem(false));
        // A deployment someone asked for is not reconciled.
        String dep = pendingDeployment(id);
        as(KEY).get("/v2/deployments/" + dep).then().statusCode(200).body("reconciled", equalTo(false));
    }

    @Test
    void intervalsAreWholeSecondsMinutesOrHoursWithinTheLimits() {
        // (Left disabled: an enabled procedure on github.com would be listed by every later test class's passes.)
        assertThat(created(Map.of("interval", "PT2M")).getString("reconcile.interval")).isEqualTo("2m");
        assertThat(created(Map.of("interval", "90s")).getString("reconcile.interval")).isEqualTo("90s");
        assertThat(created(Map.of("interval", "120s")).getString("reconcile.interval")).isEqualTo("2m");
        assertThat(created(Map.of("interval", "24h")).getBoolean("reconcile.enabled")).isFalse();
        for (String bad : List.of("30s", "59s", "25h", "abc", "1.5m", "5", "-5m", "", "PT0.5S")) {
            refused(Map.of("enabled", true, "interval", bad), "reconcile.interval");
        }
        as(KEY).body(body(Map.of("enabled", "yes"))).post("/v2/procedures").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void patchChangesOnlyWhatItGives() {
        String id = created(Map.of()).getString("id");
        JsonPath on = patch(id, Map.of("enabled", true));
        assertThat(on.getBoolean("reconcile.enabled")).isTrue();
        assertThat(on.getString("reconcile.interval")).isEqualTo("5m");
        JsonPath slower = patch(id, Map.of("interval", "1h"));
        assertThat(slower.getBoolean("reconcile.enabled")).isTrue();
        assertThat(slower.getString("reconcile.interval")).isEqualTo("1h");
        as(KEY).body(Map.of("reconcile", Map.of("interval", "10s"))).patch("/v2/procedures/" + id).then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("reconcile.interval"));
        JsonPath unchanged = as(KEY).get("/v2/procedures/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(unchanged.getString("reconcile.interval")).isEqualTo("1h");
        JsonPath off = patch(id, Map.of("enabled", false));
        assertThat(off.getBoolean("reconcile.enabled")).isFalse();
        assertThat(off.getString("reconcile.interval")).isEqualTo("1h");
        // Disabled again: nothing left for a pass to claim.
        assertThat(TestSupport.<Long>inSession(s -> s.createNativeQuery(
                "select count(*) from procedures where id = ?1 and reconcile_next_at is null", Long.class)
                .setParameter(1, id).getSingleResult())).isEqualTo(1L);
    }

    private static Map<String, Object> body(Map<String, Object> reconcile) {
        Map<String, Object> body = procedureBody(unique("proc"), "https://github.com/acme/" + unique("r") + ".git");
        body.put("reconcile", reconcile);
        return body;
    }

    private static JsonPath created(Map<String, Object> reconcile) {
        return as(KEY).body(body(reconcile)).post("/v2/procedures").then().statusCode(201).extract().jsonPath();
    }

    private static void refused(Map<String, Object> reconcile, String field) {
        as(KEY).body(body(reconcile)).post("/v2/procedures").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://benchline.io/problems/invalid-request"))
                .body("errors.field", hasItem(field));
    }

    private static JsonPath patch(String id, Map<String, Object> reconcile) {
        return as(KEY).body(Map.of("reconcile", reconcile)).patch("/v2/procedures/" + id).then().statusCode(200)
                .extract().jsonPath();
    }
}
