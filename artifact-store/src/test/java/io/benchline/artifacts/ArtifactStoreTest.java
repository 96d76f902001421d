package io.benchline.artifacts;

import io.benchline.artifacts.storage.ObjectInfo;
import io.benchline.artifacts.storage.ObjectStorage;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** artifact-store on real PostgreSQL and S3Proxy: upload, signature, dedup, presigned download, contents, limits. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_artifacts"),
        @ResourceArg(name = "s3", value = "true"),
        @ResourceArg(name = "kafka", value = "false")})
@QuarkusTestResource(FakeDeploymentService.class)
class ArtifactStoreTest {
    private static final String INTERNAL = "X-Benchline-Internal-Token";
    static final String PROCEDURE = "prc_01jtestartifactstore00000";
    /** Uploads name the organization and procedure the archive was built for: the signature covers both. */
    static final String UPLOAD = "/internal/v1/artifacts?organization_id=" + FakeDeploymentService.ORG_ID
            + "&procedure_id=" + PROCEDURE;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    ObjectStorage storage;

    static RequestSpecification internal() {
        return RestAssured.given().header(INTERNAL, BenchlineInfra.INTERNAL_TOKEN);
    }

    static JsonPath upload(byte[] bytes) {
        return internal().contentType("application/zip").body(bytes)
                .post(ArtifactStoreTest.UPLOAD)
                .then().statusCode(201).contentType(ContentType.JSON).extract().jsonPath();
    }

    static PublicKey publicKeyOf(String keyId) throws Exception {
        JsonPath keys = RestAssured.given().header("Authorization", "Bearer " + FakeDeploymentService.API_KEY)
                .get("/v2/keys").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> all = keys.getList("keys");
        Map<String, Object> key = all.stream().filter(k -> keyId.equals(k.get("key_id"))).findFirst()
                .orElseThrow(() -> new AssertionError("key " + keyId + " is not listed by /v2/keys: " + all));
        assertThat(key.get("algorithm")).isEqualTo("Ed25519");
        assertThat(Instant.parse((String) key.get("created_at"))).isBefore(Instant.now().plusSeconds(1));
        byte[] spki = Base64.getDecoder().decode((String) key.get("public_key"));
        assertThat(keyId).as("key_id is ed25519- + 16 hex of SHA-256(SPKI DER)")
                .isEqualTo("ed25519-" + Zips.sha256Hex(spki).substring(0, 16));
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    }

    /** Verifies against the documented v1 message of this test's organization and procedure. */
    static boolean verifies(PublicKey key, String digest, String signatureBase64) throws Exception {
        return verifiesMessage(key, "benchline-artifact-signature-v1\norganization:" + FakeDeploymentService.ORG_ID
                + "\nprocedure:" + PROCEDURE + "\ndigest:" + digest + "\n", signatureBase64);
    }

    static boolean verifiesMessage(PublicKey key, String message, String signatureBase64) throws Exception {
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update(message.getBytes(StandardCharsets.UTF_8));
        return verifier.verify(Base64.getDecoder().decode(signatureBase64));
    }

    private List<ObjectInfo> storedUnder(String hex) {
        return storage.list("artifacts/sha256/" + hex, 10);
    }

    @Test
    void uploadAnswersDigestSizeAndAVerifiableSignature() throws Exception {
        byte[] bytes = Zips.unique();
        String hex = Zips.sha256Hex(bytes);

        Response response = internal().contentType("application/zip").body(bytes).post(ArtifactStoreTest.UPLOAD);

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.header("Location")).endsWith("/internal/v1/artifacts/sha256:" + hex);
        JsonPath json = response.jsonPath();
        String digest = json.getString("digest");
        assertThat(digest).isEqualTo("sha256:" + hex);
        assertThat(json.getLong("size_bytes")).isEqualTo(bytes.length);
        assertThat(json.getString("key_id")).matches("ed25519-[0-9a-f]{16}");
        String signature = json.getString("signature");
        assertThat(Base64.getDecoder().decode(signature)).hasSize(64);

        PublicKey key = publicKeyOf(json.getString("key_id"));
        assertThat(verifies(key, digest, signature)).as("signature over the v1 message").isTrue();
        assertThat(verifiesMessage(key, digest, signature)).as("not over the bare digest (the old format)").isFalse();
        assertThat(verifies(key, "sha256:" + "0".repeat(64), signature)).isFalse();

        assertThat(storedUnder(hex)).extracting(ObjectInfo::key).containsExactly("artifacts/sha256/" + hex + ".zip");

        // Describe answers the same artifact with a signature that verifies as well.
        JsonPath described = internal().get("/internal/v1/artifacts/" + digest + "?organization_id="
                        + FakeDeploymentService.ORG_ID + "&procedure_id=" + PROCEDURE).then().statusCode(200)
                .extract().jsonPath();
        assertThat(described.getString("digest")).isEqualTo(digest);
        assertThat(described.getLong("size_bytes")).isEqualTo(bytes.length);
        assertThat(verifies(key, digest, described.getString("signature"))).isTrue();
    }

    @Test
    void theSameBytesUploadedTwiceAreStoredOnce() throws Exception {
        byte[] bytes = Zips.unique();
        String hex = Zips.sha256Hex(bytes);

        JsonPath first = upload(bytes);
        ObjectInfo stored = storedUnder(hex).get(0);
        Thread.sleep(1100); // a rewrite would show a later modification time
        JsonPath second = upload(bytes);

        assertThat(second.getString("digest")).isEqualTo(first.getString("digest")).isEqualTo("sha256:" + hex);
        assertThat(second.getLong("size_bytes")).isEqualTo(first.getLong("size_bytes"));
        assertThat(second.getString("key_id")).isEqualTo(first.getString("key_id"));
        List<ObjectInfo> after = storedUnder(hex);
        assertThat(after).hasSize(1);
        assertThat(after.get(0).size()).isEqualTo(bytes.length);
        assertThat(after.get(0).lastModified()).as("not written again").isEqualTo(stored.lastModified());
        assertThat(after.get(0).etag()).isEqualTo(stored.etag());
    }

    @Test
    void concurrentUploadsOfTheSameBytesAgreeAndLeaveOneObject() throws Exception {
        byte[] bytes = Zips.unique();
        String hex = Zips.sha256Hex(bytes);
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<JsonPath>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return upload(bytes);
                }));
            }
            go.countDown();
            for (Future<JsonPath> result : results) {
                JsonPath json = result.get(60, TimeUnit.SECONDS);
                assertThat(json.getString("digest")).isEqualTo("sha256:" + hex);
                assertThat(json.getLong("size_bytes")).isEqualTo(bytes.length);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(storedUnder(hex)).hasSize(1).allSatisfy(o -> assertThat(o.size()).isEqualTo(bytes.length));
        assertThat(download(upload(bytes).getString("digest"))).isEqualTo(bytes);
    }

    private byte[] download(String digest) throws Exception {
        JsonPath url = internal().get("/internal/v1/artifacts/" + digest + "/download-url").then().statusCode(200)
                .extract().jsonPath();
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url.getString("url")))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as("presigned GET").isEqualTo(200);
        return response.body();
    }

    @Test
    void aPresignedDownloadUrlServesExactlyTheStoredBytes() throws Exception {
        byte[] bytes = Zips.unique();
        String digest = upload(bytes).getString("digest");

        JsonPath url = internal().get("/internal/v1/artifacts/" + digest + "/download-url").then().statusCode(200)
                .extract().jsonPath();
        assertThat(url.getString("url")).startsWith(BenchlineInfra.s3Endpoint())
                .contains("artifacts/sha256/" + digest.substring(7) + ".zip").contains("X-Amz-Signature=");
        assertThat(Instant.parse(url.getString("expires_at")))
                .isCloseTo(Instant.now().plus(Duration.ofMinutes(15)), within(30, java.time.temporal.ChronoUnit.SECONDS));

        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url.getString("url")))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(bytes);
        assertThat(Zips.sha256Hex(response.body())).isEqualTo(digest.substring(7));

        // Without the query signature the bucket refuses: the URL is the credential.
        String unsigned = url.getString("url").substring(0, url.getString("url").indexOf('?'));
        HttpResponse<byte[]> refused = HTTP.send(HttpRequest.newBuilder(URI.create(unsigned)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(refused.statusCode()).isEqualTo(403);

        JsonPath shortLived = internal().queryParam("ttl", "60")
                .get("/internal/v1/artifacts/" + digest + "/download-url").then().statusCode(200).extract().jsonPath();
        assertThat(Instant.parse(shortLived.getString("expires_at")))
                .isCloseTo(Instant.now().plusSeconds(60), within(10, java.time.temporal.ChronoUnit.SECONDS));
        internal().queryParam("ttl", "PT900H").get("/internal/v1/artifacts/" + digest + "/download-url")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void unknownAndMalformedDigestsAreProblems() {
        String unknown = "sha256:" + "ab".repeat(32);
        internal().get("/internal/v1/artifacts/" + unknown + "/download-url").then().statusCode(404)
                .contentType("application/problem+json");
        internal().get("/internal/v1/artifacts/" + unknown + "/contents").then().statusCode(404)
                .contentType("application/problem+json");
        internal().get("/internal/v1/artifacts/" + unknown + "?organization_id=" + FakeDeploymentService.ORG_ID
                + "&procedure_id=" + PROCEDURE).then().statusCode(404);
        internal().get("/internal/v1/artifacts/sha256:XYZ/download-url").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void contentsListsEveryFileWithSizeAndSha256() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("manifest.json", ("{\"n\":\"" + System.nanoTime() + "\"}").getBytes(StandardCharsets.UTF_8));
        entries.put("lib/", new byte[0]);
        entries.put("lib/helpers.py", "def measure():\n    return 1\n".getBytes(StandardCharsets.UTF_8));
        byte[] big = new byte[100_000];
        new Random(7).nextBytes(big);
        entries.put("data/blob.bin", big);
        String digest = upload(Zips.zip(entries)).getString("digest");

        JsonPath contents = internal().get("/internal/v1/artifacts/" + digest + "/contents").then().statusCode(200)
                .extract().jsonPath();
        assertThat(contents.getList("entries.path", String.class))
                .containsExactly("manifest.json", "lib/helpers.py", "data/blob.bin");
        assertThat(contents.getList("entries.size", Long.class)).containsExactly(
                (long) entries.get("manifest.json").length, (long) entries.get("lib/helpers.py").length, 100_000L);
        assertThat(contents.getList("entries.sha256", String.class)).containsExactly(
                Zips.sha256Hex(entries.get("manifest.json")), Zips.sha256Hex(entries.get("lib/helpers.py")),
                Zips.sha256Hex(big));
    }

    @Test
    void anArchiveOverTheLimitIs413ProblemJson() throws Exception {
        // %test.benchline.artifacts.max-size=1M
        byte[] tooBig = new byte[1024 * 1024 + 1];
        new Random(1).nextBytes(tooBig);

        HttpResponse<String> declared = HTTP.send(HttpRequest.newBuilder(uri(UPLOAD))
                .header(INTERNAL, BenchlineInfra.INTERNAL_TOKEN).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(tooBig)).build(), HttpResponse.BodyHandlers.ofString());
        assertProblem413(declared);

        // Chunked (no Content-Length): the limit holds while streaming.
        HttpResponse<String> chunked = HTTP.send(HttpRequest.newBuilder(uri(UPLOAD))
                .header(INTERNAL, BenchlineInfra.INTERNAL_TOKEN).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(tooBig))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertProblem413(chunked);
        assertThat(storedUnder(Zips.sha256Hex(tooBig))).isEmpty();
    }

    private static void assertProblem413(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
        JsonPath problem = JsonPath.from(response.body());
        assertThat(problem.getInt("status")).isEqualTo(413);
        assertThat(problem.getString("type")).endsWith("payload-too-large");
        assertThat(problem.getString("detail")).contains("benchline.artifacts.max-size");
    }

    private static URI uri(String path) {
        return URI.create("http://localhost:" + RestAssured.port + path);
    }

    @Test
    void bodiesThatAreNotZipArchivesAre400() {
        internal().contentType("application/zip").body("definitely not a zip".getBytes(StandardCharsets.UTF_8))
                .post(ArtifactStoreTest.UPLOAD).then().statusCode(400).contentType("application/problem+json");
        internal().contentType("application/zip").body(new byte[0])
                .post(ArtifactStoreTest.UPLOAD).then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void internalEndpointsNeedTheInternalToken() {
        byte[] bytes = Zips.unique();
        RestAssured.given().contentType("application/zip").body(bytes).post(ArtifactStoreTest.UPLOAD)
                .then().statusCode(401).contentType("application/problem+json");
        RestAssured.given().header(INTERNAL, "wrong-token").contentType("application/zip").body(bytes)
                .post(ArtifactStoreTest.UPLOAD).then().statusCode(401);
        RestAssured.given().get("/internal/v1/artifacts/sha256:" + "ab".repeat(32) + "/download-url")
                .then().statusCode(401).contentType("application/problem+json");
        assertThat(storedUnder(Zips.sha256Hex(bytes))).isEmpty();
    }

    @Test
    void keysNeedAValidApiKey() {
        RestAssured.given().get("/v2/keys").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"));
        RestAssured.given().header("Authorization", "Bearer not-a-key").get("/v2/keys").then().statusCode(401);
        RestAssured.given().header("Authorization", "Bearer " + FakeDeploymentService.API_KEY).get("/v2/keys")
                .then().statusCode(200).contentType(ContentType.JSON);
    }
}
