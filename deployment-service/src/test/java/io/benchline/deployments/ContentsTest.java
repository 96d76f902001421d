package io.benchline.deployments;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.benchline.deployments.FakeArtifactStore.sha256;
import static io.benchline.deployments.FakeArtifactStore.utf8;
import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.OTHER_KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.at;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.digest;
import static io.benchline.deployments.TestSupport.pendingDeployment;
import static io.benchline.deployments.TestSupport.ready;
import static io.benchline.deployments.TestSupport.sendCompleted;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /v2/deployments/{id}/contents and …/contents/{path}: a ready deployment's files, read from artifact-store
 * (here {@link FakeArtifactStore}) with the internal token, scoped to the caller's organization.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakeArtifactStore.class)
class ContentsTest {
    private static final byte[] MAIN = utf8("print('voltage ok')\n");
    private static final byte[] BINARY = randomBytes(300_000);

    @Test
    void aReadyDeploymentListsItsFilesAndStreamsEachOne() {
        String id = readyDeploymentWith(files());

        JsonPath contents = as(KEY).get("/v2/deployments/" + id + "/contents").then().statusCode(200)
                .contentType("application/json").extract().jsonPath();
        List<Map<String, Object>> data = contents.getList("data");
        assertThat(data).extracting(f -> f.get("path")).containsExactly("manifest.json", "main.py",
                "docs/read me.txt", "data/weights.bin");
        assertThat(data.get(1)).containsEntry("size", MAIN.length).containsEntry("sha256", sha256(MAIN));
        assertThat(data.get(3)).containsEntry("size", BINARY.length).containsEntry("sha256", sha256(BINARY));

        Response main = as(KEY).get("/v2/deployments/" + id + "/contents/main.py");
        main.then().statusCode(200).contentType("text/x-python").header("Content-Length", String.valueOf(MAIN.length));
        assertThat(main.asByteArray()).isEqualTo(MAIN);

        Response binary = as(KEY).get("/v2/deployments/" + id + "/contents/data/weights.bin");
        binary.then().statusCode(200).contentType("application/octet-stream")
                .header("Content-Length", String.valueOf(BINARY.length));
        assertThat(binary.asByteArray()).isEqualTo(BINARY);

        Response spaced = as(KEY).get("/v2/deployments/" + id + "/contents/docs/read me.txt");
        spaced.then().statusCode(200).contentType("text/plain");
        assertThat(spaced.asString()).isEqualTo("read me");

        String viewer = RoleKeys.newKey(KEY, "viewer");
        as(viewer).get("/v2/deployments/" + id + "/contents").then().statusCode(200);
        as(viewer).get("/v2/deployments/" + id + "/contents/main.py").then().statusCode(200);
    }

    @Test
    void unknownFilesAre404AndPathsLeavingTheArchive400() {
        String id = readyDeploymentWith(files());
        as(KEY).get("/v2/deployments/" + id + "/contents/nope.py").then().statusCode(404)
                .contentType("application/problem+json");
        as(KEY).get("/v2/deployments/" + id + "/contents/docs").then().statusCode(404)
                .contentType("application/problem+json");
        // What reaches the route with a dot segment, an empty segment, a backslash or a control character in it
        // names no file of an archive and is refused.
        for (String bad : new String[] {"%2e%2e%2fmain.py", "a%2f..%2fmain.py", "docs%2f%2fread%20me.txt",
                "docs%2f.%2fread%20me.txt", "a%5Cb", "main.py%00"}) {
            as(KEY).urlEncodingEnabled(false).get("/v2/deployments/" + id + "/contents/" + bad).then()
                    .statusCode(400).contentType("application/problem+json");
        }
        // Dot and empty segments in the URL itself are resolved by the HTTP server before routing (RFC 3986), so
        // they never leave the archive: a/../main.py is main.py, and going above contents/ leaves the route.
        as(KEY).urlEncodingEnabled(false).get("/v2/deployments/" + id + "/contents/a/%2e%2e/main.py").then()
                .statusCode(200);
        as(KEY).urlEncodingEnabled(false).get("/v2/deployments/" + id + "/contents/%2e%2e/%2e%2e/%2e%2e/etc/passwd")
                .then().statusCode(404);
    }

    @Test
    void aDeploymentWithoutAnArtifactIs409() {
        String procedureId = createProcedure(KEY, "acme/" + unique("contents"), Map.of()).getString("id");
        String pending = pendingDeployment(procedureId);
        String failedOne = RolesTest.failedDeployment(procedureId);
        for (String[] d : new String[][] {{pending, "pending"}, {failedOne, "failed"}}) {
            for (String path : new String[] {"/contents", "/contents/main.py"}) {
                JsonPath problem = as(KEY).get("/v2/deployments/" + d[0] + path).then().statusCode(409)
                        .contentType("application/problem+json").extract().jsonPath();
                assertThat(problem.getString("type")).isEqualTo("https://benchline.io/problems/not-ready");
                assertThat(problem.getString("deployment_status")).isEqualTo(d[1]);
            }
        }
    }

    @Test
    void anotherOrganizationsDeploymentHasNoContents() {
        TestSupport.otherOrgId();
        String id = readyDeploymentWith(files());
        for (String path : new String[] {"/contents", "/contents/main.py"}) {
            as(OTHER_KEY).get("/v2/deployments/" + id + path).then().statusCode(404)
                    .contentType("application/problem+json");
            as(KEY).get("/v2/deployments/dep_00000000000000000000000000" + path).then().statusCode(404)
                    .contentType("application/problem+json");
        }
    }

    @Test
    void anArtifactArtifactStoreDoesNotHaveIs404() {
        String procedureId = createProcedure(KEY, "acme/" + unique("gone"), Map.of()).getString("id");
        String id = pendingDeployment(procedureId);
        sendCompleted(ready(id, at(5), at(1), digest()), id); // never registered with the fake
        awaitStatus(id, "ready");
        as(KEY).get("/v2/deployments/" + id + "/contents").then().statusCode(404)
                .contentType("application/problem+json");
        as(KEY).get("/v2/deployments/" + id + "/contents/main.py").then().statusCode(404)
                .contentType("application/problem+json");
    }

    private static Map<String, byte[]> files() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("manifest.json", utf8("{\"schema_version\":1}"));
        files.put("main.py", MAIN);
        files.put("docs/read me.txt", utf8("read me"));
        files.put("data/weights.bin", BINARY);
        return files;
    }

    /** A deployment driven to ready by build events, its artifact registered with the fake artifact-store. */
    private static String readyDeploymentWith(Map<String, byte[]> files) {
        String procedureId = createProcedure(KEY, "acme/" + unique("contents"), Map.of()).getString("id");
        String id = pendingDeployment(procedureId);
        String hex = digest();
        FakeArtifactStore.register("sha256:" + hex, files);
        sendCompleted(ready(id, at(5), at(1), hex), id);
        awaitStatus(id, "ready");
        return id;
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
