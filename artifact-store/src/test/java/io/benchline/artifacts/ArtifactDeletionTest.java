package io.benchline.artifacts;

import io.benchline.artifacts.storage.ObjectStorage;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.benchline.artifacts.ArtifactStoreTest.internal;
import static io.benchline.artifacts.ArtifactStoreTest.upload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DELETE /internal/v1/artifacts/{digest}?unless_uploaded_after=: the bytes leave S3 unless the same digest was
 * uploaded after the given instant (a rebuild of the same commit), and never while an upload of it is under way.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_artifacts"),
        @ResourceArg(name = "s3", value = "true"),
        @ResourceArg(name = "kafka", value = "false")})
@QuarkusTestResource(FakeDeploymentService.class)
class ArtifactDeletionTest {

    @Inject
    ObjectStorage storage;

    @Test
    void aDeleteRemovesTheBytesAndAnUploadBringsThemBack() {
        byte[] bytes = Zips.unique();
        String digest = upload(bytes).getString("digest");
        assertThat(stored(digest)).isTrue();

        delete(digest, Instant.now()).then().statusCode(204);
        assertThat(stored(digest)).isFalse();
        internal().get("/internal/v1/artifacts/" + digest + "?organization_id=" + FakeDeploymentService.ORG_ID
                + "&procedure_id=" + ArtifactStoreTest.PROCEDURE).then().statusCode(404);
        internal().get("/internal/v1/artifacts/" + digest + "/contents").then().statusCode(404);
        delete(digest, Instant.now()).then().statusCode(204); // already absent

        upload(bytes);
        assertThat(stored(digest)).as("the same bytes uploaded again are stored again").isTrue();
        internal().get("/internal/v1/artifacts/" + digest + "/files/main.py").then().statusCode(200);
    }

    @Test
    void aListingIsReadOnceAndForgottenWhenItsArchiveIsDeleted() {
        byte[] bytes = Zips.unique();
        String digest = upload(bytes).getString("digest");
        List<String> listed = paths(digest);
        assertThat(listed).contains("main.py");

        // Behind the store's back: the bytes go, the listing stays (a digest names the same bytes forever)...
        storage.delete(key(digest));
        assertThat(paths(digest)).as("the second listing is not read from S3").isEqualTo(listed);
        internal().get("/internal/v1/artifacts/" + digest + "/files/main.py").then().statusCode(404);

        // ...until the archive is deleted through the store, which forgets its listing.
        delete(digest, Instant.now()).then().statusCode(204);
        internal().get("/internal/v1/artifacts/" + digest + "/contents").then().statusCode(404)
                .contentType("application/problem+json");
        upload(bytes);
        assertThat(paths(digest)).isEqualTo(listed);
    }

    @Test
    void concurrentFirstListingsAllAnswerAndAMissingArchiveIs404ForEach() throws Exception {
        String digest = upload(Zips.unique()).getString("digest");
        String unknown = "sha256:" + "cd".repeat(32);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> known = new java.util.ArrayList<>();
            List<Future<Integer>> missing = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                known.add(pool.submit(() -> {
                    start.await();
                    return internal().get("/internal/v1/artifacts/" + digest + "/contents").statusCode();
                }));
                missing.add(pool.submit(() -> {
                    start.await();
                    return internal().get("/internal/v1/artifacts/" + unknown + "/contents").statusCode();
                }));
            }
            start.countDown();
            for (int i = 0; i < 8; i++) {
                assertThat(known.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(200);
                assertThat(missing.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(404);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(paths(digest)).contains("main.py");
    }

    @Test
    void aLaterUploadOfTheSameDigestKeepsTheBytes() throws Exception {
        byte[] bytes = Zips.unique();
        String digest = upload(bytes).getString("digest");
        Instant deletedAt = Instant.now();
        Thread.sleep(5); // the rebuild's upload is strictly later than the delete's instant
        upload(bytes); // a rebuild of the same commit: same bytes, same digest

        Response refused = delete(digest, deletedAt);
        refused.then().statusCode(409).contentType("application/problem+json");
        JsonPath problem = refused.jsonPath();
        assertThat(problem.getString("type")).isEqualTo("https://benchline.io/problems/uploaded-again");
        assertThat(Instant.parse(problem.getString("last_uploaded_at"))).isAfter(deletedAt);
        assertThat(stored(digest)).isTrue();
        internal().get("/internal/v1/artifacts/" + digest + "/files/main.py").then().statusCode(200);

        // A delete that names a time after the last upload removes them.
        delete(digest, Instant.now()).then().statusCode(204);
        assertThat(stored(digest)).isFalse();
    }

    @Test
    void anUploadRacingADeleteIsNeverLeftWithoutItsBytes() throws Exception {
        byte[] bytes = Zips.unique();
        String digest = upload(bytes).getString("digest");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 25; round++) {
                upload(bytes); // stored before each round, so the racing upload finds it "already stored"
                Instant before = Instant.now();
                Thread.sleep(2);
                CountDownLatch go = new CountDownLatch(1);
                Future<Integer> uploaded = pool.submit(() -> {
                    go.await();
                    return internal().contentType("application/zip").body(bytes).post(ArtifactStoreTest.UPLOAD)
                            .statusCode();
                });
                Future<Integer> deleted = pool.submit(() -> {
                    go.await();
                    return delete(digest, before).statusCode();
                });
                go.countDown();
                assertThat(uploaded.get(60, TimeUnit.SECONDS)).isEqualTo(201);
                // 204 when the delete went first (the upload then stored the bytes again), else 409
                assertThat(deleted.get(60, TimeUnit.SECONDS)).isIn(204, 409);
                assertThat(stored(digest)).as("round %d: an upload that answered 201 has its bytes", round)
                        .isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badRequestsAreProblems() {
        String digest = "sha256:" + "ef".repeat(32);
        internal().delete("/internal/v1/artifacts/" + digest).then().statusCode(400)
                .contentType("application/problem+json");
        internal().queryParam("unless_uploaded_after", "yesterday").delete("/internal/v1/artifacts/" + digest)
                .then().statusCode(400).contentType("application/problem+json");
        internal().queryParam("unless_uploaded_after", Instant.now().toString())
                .delete("/internal/v1/artifacts/sha256:XYZ").then().statusCode(400);
        // an offset names an instant too
        internal().queryParam("unless_uploaded_after", "2026-01-31T13:00:00+01:00")
                .delete("/internal/v1/artifacts/" + digest).then().statusCode(204);
        RestAssured.given().queryParam("unless_uploaded_after", Instant.now().toString())
                .delete("/internal/v1/artifacts/" + digest).then().statusCode(401);
    }

    private static Response delete(String digest, Instant unlessUploadedAfter) {
        return internal().queryParam("unless_uploaded_after", unlessUploadedAfter.toString())
                .delete("/internal/v1/artifacts/" + digest);
    }

    private boolean stored(String digest) {
        return storage.stat(key(digest)).isPresent();
    }

    private static String key(String digest) {
        return "artifacts/sha256/" + digest.substring("sha256:".length()) + ".zip";
    }

    private static List<String> paths(String digest) {
        return internal().get("/internal/v1/artifacts/" + digest + "/contents").then().statusCode(200).extract()
                .jsonPath().getList("entries.path", String.class);
    }

}
