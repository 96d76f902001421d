package io.benchline.artifacts;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static io.benchline.artifacts.ArtifactStoreTest.internal;
import static io.benchline.artifacts.ArtifactStoreTest.upload;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /internal/v1/artifacts/{digest}/files/{path}: one file of a stored archive, streamed out of S3. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_artifacts"),
        @ResourceArg(name = "s3", value = "true"),
        @ResourceArg(name = "kafka", value = "false")})
@QuarkusTestResource(FakeDeploymentService.class)
class ArtifactFilesTest {

    @Test
    void eachFileIsServedWithExactlyItsBytes() {
        Map<String, byte[]> entries = entries();
        String digest = upload(Zips.zip(entries)).getString("digest");

        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (e.getKey().endsWith("/")) {
                continue;
            }
            Response file = internal().get("/internal/v1/artifacts/" + digest + "/files/" + e.getKey());
            file.then().statusCode(200).contentType("application/octet-stream");
            assertThat(file.asByteArray()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void aSizeInTheLocalHeaderIsTheContentLength() {
        Map<String, byte[]> entries = entries();
        String digest = upload(Zips.storedZip(entries)).getString("digest");
        byte[] blob = entries.get("data/blob.bin");

        Response file = internal().get("/internal/v1/artifacts/" + digest + "/files/data/blob.bin");
        file.then().statusCode(200).header("Content-Length", String.valueOf(blob.length));
        assertThat(file.asByteArray()).isEqualTo(blob);
        Response spaced = internal().get("/internal/v1/artifacts/" + digest + "/files/docs/read me.txt");
        spaced.then().statusCode(200).header("Content-Length", "7");
        assertThat(spaced.asString()).isEqualTo("read me");
    }

    @Test
    void unknownFilesDirectoriesAndArtifactsAre404() {
        String digest = upload(Zips.zip(entries())).getString("digest");
        for (String path : new String[] {"nope.py", "lib", "lib/", "MAIN.PY", "data/blob.bin/x"}) {
            internal().get("/internal/v1/artifacts/" + digest + "/files/" + path).then().statusCode(404)
                    .contentType("application/problem+json");
        }
        internal().get("/internal/v1/artifacts/sha256:" + "cd".repeat(32) + "/files/main.py").then()
                .statusCode(404).contentType("application/problem+json");
    }

    @Test
    void pathsThatLeaveTheArchiveAre400() {
        String digest = upload(Zips.zip(entries())).getString("digest");
        Map<String, Integer> answers = new LinkedHashMap<>();
        // (Empty and "." segments in the URL itself are normalized away by the HTTP server before routing;
        // app.ArchivePathTest covers the rule for every path.)
        for (String path : new String[] {"%2e%2e%2fmain.py", "lib%2f..%2fmain.py", "lib%2f%2fhelpers.py",
                "lib%2f.%2fhelpers.py", "a%5Cb", "main.py%00"}) {
            answers.put(path, internal().urlEncodingEnabled(false)
                    .get("/internal/v1/artifacts/" + digest + "/files/" + path).statusCode());
        }
        assertThat(answers).allSatisfy((path, status) -> assertThat(status).as(path).isEqualTo(400));
        internal().get("/internal/v1/artifacts/sha256:XYZ/files/main.py").then().statusCode(400);
    }

    @Test
    void filesNeedTheInternalToken() {
        String digest = upload(Zips.zip(entries())).getString("digest");
        RestAssured.given().get("/internal/v1/artifacts/" + digest + "/files/main.py").then().statusCode(401)
                .contentType("application/problem+json");
    }

    private static Map<String, byte[]> entries() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("manifest.json", ("{\"n\":\"" + System.nanoTime() + "\"}").getBytes(StandardCharsets.UTF_8));
        entries.put("main.py", "print('hello')\n".getBytes(StandardCharsets.UTF_8));
        entries.put("lib/", new byte[0]);
        entries.put("lib/helpers.py", "def measure():\n    return 1\n".getBytes(StandardCharsets.UTF_8));
        entries.put("docs/read me.txt", "read me".getBytes(StandardCharsets.UTF_8));
        byte[] blob = new byte[400_000];
        new Random(System.nanoTime()).nextBytes(blob);
        entries.put("data/blob.bin", blob);
        return entries;
    }
}
