package io.benchline.deployments;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * service-common's input rules in this service: strict JSON types, no control characters, path and query junk, the
 * body limit, all answered 400/413 problem JSON naming the field (issue 7: {@code "auto_push": " "} was accepted by
 * PATCH, {@code %00} as an id answered 500).
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class BadInputTest {

    @Test
    void aBooleanIsTrueOrFalseAndNothingElse() {
        String id = createProcedure(KEY, unique("acme/strict"), Map.of()).getString("id");
        for (String junk : new String[] {"\" \"", "\"true\"", "\"\"", "1", "0", "{}", "[true]"}) {
            Response refused = as(KEY).body("{\"auto_push\":" + junk + "}").patch("/v2/procedures/" + id);
            assertField(refused, 400, "auto_push");
        }
        assertThat(as(KEY).get("/v2/procedures/" + id).jsonPath().getBoolean("auto_push")).isTrue();
        as(KEY).body("{\"auto_push\":false}").patch("/v2/procedures/" + id).then().statusCode(200);
        assertThat(as(KEY).get("/v2/procedures/" + id).jsonPath().getBoolean("auto_push")).isFalse();
    }

    @Test
    void textIsAStringWithoutControlCharacters() {
        String body = "{\"name\":%s,\"repository\":{\"provider\":\"github\",\"clone_url\":\"https://github.com/acme/%s.git\"}}";
        for (String junk : new String[] {"5", "true", "[\"x\"]", "\"a\\u0000b\"", "\"\\u001b[2J\"", "\"tab\\there\"",
                "\"\\ud800\""}) {
            assertField(as(KEY).body(body.formatted(junk, unique("x"))).post("/v2/procedures"), 400, "name");
        }
        assertField(as(KEY).body(body.formatted("\"ok\"", "a\\u0000")).post("/v2/procedures"), 400,
                "repository.clone_url");
        String id = createProcedure(KEY, unique("acme/notes"), Map.of()).getString("id");
        // Notes may span lines, but hold no other control character.
        assertField(as(KEY).body("{\"note\":\"a\\u0000\"}").post("/v2/procedures/" + id + "/resume"), 400, "note");
        Response multiLine = as(KEY).body("{\"note\":\"two\\nlines\"}").post("/v2/procedures/" + id + "/resume");
        assertThat(multiLine.statusCode()).isNotEqualTo(400).isLessThan(500);
    }

    @Test
    void junkInThePathOrQueryIsABadRequestNeverAServerError() {
        for (String path : new String[] {"/v2/procedures/%00", "/v2/deployments/%00", "/v2/deployments/a%01b/logs",
                "/v2/procedures/%00/history", "/v2/deployments?procedure_id=%00", "/v2/deployments?status=%0a",
                "/v2/deployments/x/logs?after=%00"}) {
            Response answer = as(KEY).urlEncodingEnabled(false).get(path);
            assertThat(answer.statusCode()).as(path).isEqualTo(400);
            assertThat(answer.contentType()).as(path).startsWith("application/problem+json");
        }
        // The answer names the parameter.
        assertField(as(KEY).urlEncodingEnabled(false).get("/v2/procedures/%00"), 400, "id");
        assertField(as(KEY).urlEncodingEnabled(false).get("/v2/deployments?procedure_id=a%00"), 400, "procedure_id");
        // Junk that is valid text names nothing.
        assertThat(as(KEY).urlEncodingEnabled(false).get("/v2/procedures/%f0%9f%98%80").statusCode()).isEqualTo(404);
    }

    @Test
    void invalidJsonAndBodiesOverTheLimitAreProblems() {
        for (String junk : new String[] {"{", "[]", "{\"name\":\"a\"} {}", "{\"name\":\"a\",\"name\":\"b\"}", "\"x\""}) {
            Response answer = as(KEY).body(junk).post("/v2/procedures");
            assertThat(answer.statusCode()).as(junk).isEqualTo(400);
            assertThat(answer.contentType()).as(junk).startsWith("application/problem+json");
        }
        // quarkus.http.limits.max-body-size=256K here
        Response tooLarge = as(KEY).body("{\"name\":\"" + "x".repeat(300 * 1024) + "\"}").post("/v2/procedures");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.contentType()).startsWith("application/problem+json");
        assertThat(tooLarge.jsonPath().getInt("status")).isEqualTo(413);
        // Refused before its body was read: the connection closes, and says so (a proxy's pool must not reuse it).
        as(KEY).contentType("text/plain").body("{}").post("/v2/procedures").then().statusCode(415)
                .contentType("application/problem+json").header("Connection", "close");
        as(KEY).accept("application/xml").body("{}").post("/v2/procedures").then().statusCode(406)
                .contentType("application/problem+json").header("Connection", "close");
        // A GET answered 404 keeps its connection.
        assertThat(as(KEY).get("/v2/procedures/prc_none").then().statusCode(404).extract().header("Connection"))
                .isNotEqualToIgnoringCase("close");
    }

    private static void assertField(Response answer, int status, String field) {
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.jsonPath().getList("errors.field", String.class)).as(answer.asString()).contains(field);
    }
}
