package io.benchline.artifacts;

import io.agroal.api.AgroalDataSource;
import io.benchline.artifacts.storage.ObjectStorage;
import io.benchline.artifacts.uploads.UploadSweeper;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import static io.benchline.artifacts.ArtifactStoreTest.internal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uploads of working trees: announced by a member, PUT straight to S3 by presigned URL (no API key), read back by
 * services through the internal API, removed by the sweeper when they expire.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_artifacts"),
        @ResourceArg(name = "s3", value = "true"),
        @ResourceArg(name = "kafka", value = "false")})
@QuarkusTestResource(FakeDeploymentService.class)
class UploadsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    ObjectStorage storage;
    @Inject
    UploadSweeper sweeper;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void aMemberAnnouncesAnUploadPutsItWithoutItsKeyAndServicesReadTheSameBytes() throws Exception {
        byte[] bytes = Zips.unique();
        JsonPath created = announce(FakeDeploymentService.MEMBER_KEY, bytes.length, sha256(bytes), 201);
        String id = created.getString("id");
        assertThat(id).matches("upl_[0-9a-z]{26}");
        assertThat(created.getString("method")).isEqualTo("PUT");
        assertThat(created.getLong("max_size_bytes")).isEqualTo(1024 * 1024);
        assertThat(Instant.parse(created.getString("expires_at"))).isAfter(Instant.now());
        String url = created.getString("url");
        assertThat(url).doesNotContain(FakeDeploymentService.MEMBER_KEY).contains("X-Amz-Signature=");

        describe(id, FakeDeploymentService.ORG_ID).then().statusCode(200)
                .body("stored_size_bytes", org.hamcrest.Matchers.nullValue());
        internal().get("/internal/v1/uploads/" + id + "/content?organization_id=" + FakeDeploymentService.ORG_ID)
                .then().statusCode(404);

        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/zip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

        JsonPath described = describe(id, FakeDeploymentService.ORG_ID).then().statusCode(200).extract().jsonPath();
        assertThat(described.getLong("size_bytes")).isEqualTo(bytes.length);
        assertThat(described.getLong("stored_size_bytes")).isEqualTo(bytes.length);
        assertThat(described.getString("sha256")).isEqualTo(sha256(bytes));
        byte[] read = internal().get("/internal/v1/uploads/" + id + "/content?organization_id="
                + FakeDeploymentService.ORG_ID).then().statusCode(200).extract().asByteArray();
        assertThat(read).isEqualTo(bytes);

        describe(id, FakeDeploymentService.OTHER_ORG_ID).then().statusCode(404);
        internal().get("/internal/v1/uploads/" + id + "/content?organization_id=" + FakeDeploymentService.OTHER_ORG_ID)
                .then().statusCode(404);
        RestAssured.given().get("/internal/v1/uploads/" + id + "?organization_id=" + FakeDeploymentService.ORG_ID)
                .then().statusCode(401);
    }

    @Test
    void badAnnouncementsAreRefusedWithProblems() throws Exception {
        String sha = sha256(new byte[] {1});
        JsonPath tooLarge = announce(FakeDeploymentService.MEMBER_KEY, 1024 * 1024 + 1, sha, 413);
        assertThat(tooLarge.getString("type")).endsWith("/upload-too-large");
        assertThat(tooLarge.getString("detail")).contains("benchline.uploads.max-size");
        assertThat(announce(FakeDeploymentService.MEMBER_KEY, 10, "ABC", 400).getString("detail"))
                .isNotBlank();
        announce(FakeDeploymentService.MEMBER_KEY, 0, sha, 400);
        announce(FakeDeploymentService.VIEWER_KEY, 10, sha, 403);
        RestAssured.given().contentType("application/json").body("{\"size_bytes\":10,\"sha256\":\"" + sha + "\"}")
                .post("/v2/uploads").then().statusCode(401);
        describe("upl_nonsense", FakeDeploymentService.ORG_ID).then().statusCode(404);
    }

    @Test
    void theSweeperRemovesExpiredUploadsWithTheirObjects() throws Exception {
        byte[] bytes = Zips.unique();
        JsonPath expiring = announce(FakeDeploymentService.MEMBER_KEY, bytes.length, sha256(bytes), 201);
        JsonPath kept = announce(FakeDeploymentService.MEMBER_KEY, bytes.length, sha256(bytes), 201);
        for (JsonPath upload : new JsonPath[] {expiring, kept}) {
            HTTP.send(HttpRequest.newBuilder(URI.create(upload.getString("url")))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.discarding());
        }
        String key = "uploads/" + FakeDeploymentService.ORG_ID + "/" + expiring.getString("id") + ".zip";
        assertThat(storage.stat(key)).isPresent();
        try (Connection c = dataSource.getConnection(); PreparedStatement expire = c.prepareStatement(
                "update uploads set expires_at = now() - interval '1 second' where id = ?")) {
            expire.setString(1, expiring.getString("id"));
            assertThat(expire.executeUpdate()).isEqualTo(1);
        }
        describe(expiring.getString("id"), FakeDeploymentService.ORG_ID).then().statusCode(404);

        assertThat(sweeper.pass()).isGreaterThanOrEqualTo(1);
        assertThat(storage.stat(key)).isEmpty();
        describe(kept.getString("id"), FakeDeploymentService.ORG_ID).then().statusCode(200)
                .body("stored_size_bytes", org.hamcrest.Matchers.equalTo(bytes.length));
        assertThat(sweeper.pass()).as("nothing is left to remove").isZero();
    }

    private static JsonPath announce(String key, long size, String sha256, int status) {
        return RestAssured.given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"size_bytes\":" + size + ",\"sha256\":\"" + sha256 + "\"}")
                .post("/v2/uploads").then().statusCode(status).extract().jsonPath();
    }

    private static io.restassured.response.Response describe(String id, String org) {
        return internal().get("/internal/v1/uploads/" + id + "?organization_id=" + org);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
