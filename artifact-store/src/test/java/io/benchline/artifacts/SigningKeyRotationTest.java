package io.benchline.artifacts;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.benchline.artifacts.ArtifactStoreTest.internal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Per-organization signing keys and their rotation, on real PostgreSQL and S3Proxy: rotate retires the active key
 * (still listed, still verifying what it signed), exactly one key stays active under concurrent rotations and first
 * uploads (the database refuses a second one by itself), admins only, and one organization's or procedure's
 * signature never verifies as another's.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_artifacts"),
        @ResourceArg(name = "s3", value = "true"),
        @ResourceArg(name = "kafka", value = "false")})
@QuarkusTestResource(FakeDeploymentService.class)
class SigningKeyRotationTest {
    private static final String ORG = FakeDeploymentService.ORG_ID;
    private static final String OTHER_ORG = FakeDeploymentService.OTHER_ORG_ID;
    private static final String PROCEDURE = ArtifactStoreTest.PROCEDURE;

    private static String message(String org, String procedure, String digest) {
        return "benchline-artifact-signature-v1\norganization:" + org + "\nprocedure:" + procedure + "\ndigest:"
                + digest + "\n";
    }

    private static JsonPath upload(byte[] bytes, String org, String procedure) {
        return internal().contentType("application/zip").body(bytes)
                .post("/internal/v1/artifacts?organization_id=" + org + "&procedure_id=" + procedure)
                .then().statusCode(201).extract().jsonPath();
    }

    private static JsonPath keys(String apiKey) {
        return RestAssured.given().header("Authorization", "Bearer " + apiKey).get("/v2/keys")
                .then().statusCode(200).extract().jsonPath();
    }

    private static Response rotate(String apiKey) {
        return RestAssured.given().header("Authorization", "Bearer " + apiKey).post("/v2/keys/rotate");
    }

    private static PublicKey publicKey(JsonPath list, String id) throws Exception {
        List<Map<String, Object>> all = list.getList("keys");
        Map<String, Object> key = all.stream().filter(k -> id.equals(k.get("id"))).findFirst()
                .orElseThrow(() -> new AssertionError("key " + id + " is not listed: " + all));
        return KeyFactory.getInstance("Ed25519").generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode((String) key.get("public_key"))));
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(BenchlineInfra.jdbcUrl("benchline_artifacts"), BenchlineInfra.dbUser(),
                BenchlineInfra.dbPassword());
    }

    private static List<String> activeIds(String org) throws SQLException {
        try (Connection c = connect();
             PreparedStatement s = c.prepareStatement(
                     "select id from signing_keys where organization_id = ? and retired_at is null")) {
            s.setString(1, org);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    @Test
    void rotateMakesANewKeyActiveAndKeepsTheOldOneListedAndVerifying() throws Exception {
        byte[] before = Zips.unique();
        JsonPath old = upload(before, ORG, PROCEDURE);
        String oldKey = old.getString("key_id");

        Response rotated = rotate(FakeDeploymentService.API_KEY);

        assertThat(rotated.statusCode()).isEqualTo(201);
        String newKey = rotated.jsonPath().getString("id");
        assertThat(newKey).matches("ed25519-[0-9a-f]{16}").isNotEqualTo(oldKey);
        assertThat(rotated.header("Location")).endsWith("/v2/keys/" + newKey);
        assertThat(rotated.jsonPath().getString("status")).isEqualTo("active");
        assertThat(rotated.jsonPath().getString("organization_id")).isEqualTo(ORG);
        assertThat(rotated.jsonPath().getString("retired_at")).isNull();

        JsonPath list = keys(FakeDeploymentService.API_KEY);
        assertThat(list.getString("organization_id")).isEqualTo(ORG);
        assertThat(list.getString("keys[0].id")).as("newest first").isEqualTo(newKey);
        List<Map<String, Object>> all = list.getList("keys");
        Map<String, Object> retired = all.stream().filter(k -> oldKey.equals(k.get("id"))).findFirst().orElseThrow();
        assertThat(retired.get("status")).isEqualTo("retired");
        assertThat(retired.get("key_id")).isEqualTo(oldKey);
        assertThat(Instant.parse((String) retired.get("retired_at")))
                .isAfterOrEqualTo(Instant.parse((String) retired.get("activated_at")));
        assertThat(all).filteredOn(k -> "active".equals(k.get("status"))).hasSize(1);

        // What the retired key signed still verifies with it; new uploads are signed with the new key.
        String digest = old.getString("digest");
        assertThat(ArtifactStoreTest.verifiesMessage(publicKey(list, oldKey), message(ORG, PROCEDURE, digest),
                old.getString("signature"))).isTrue();
        JsonPath after = upload(Zips.unique(), ORG, PROCEDURE);
        assertThat(after.getString("key_id")).isEqualTo(newKey);
        assertThat(ArtifactStoreTest.verifiesMessage(publicKey(list, newKey),
                message(ORG, PROCEDURE, after.getString("digest")), after.getString("signature"))).isTrue();
        // The same bytes uploaded again now carry the new key's signature.
        assertThat(upload(before, ORG, PROCEDURE).getString("key_id")).isEqualTo(newKey);

        RestAssured.given().header("Authorization", "Bearer " + FakeDeploymentService.VIEWER_KEY)
                .get("/v2/keys/" + oldKey).then().statusCode(200);
    }

    @Test
    void concurrentRotationsLeaveExactlyOneActiveKey() throws Exception {
        upload(Zips.unique(), ORG, PROCEDURE);
        int parallel = 8;
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return rotate(FakeDeploymentService.API_KEY);
                }));
            }
            go.countDown();
            Set<String> created = new HashSet<>();
            for (Future<Response> answer : answers) {
                Response r = answer.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
                created.add(r.jsonPath().getString("id"));
            }
            assertThat(created).as("every rotation made its own key").hasSize(parallel);
        } finally {
            pool.shutdownNow();
        }
        List<String> active = activeIds(ORG);
        assertThat(active).hasSize(1);
        JsonPath list = keys(FakeDeploymentService.API_KEY);
        List<Map<String, Object>> all = list.getList("keys");
        assertThat(all).filteredOn(k -> "active".equals(k.get("status"))).extracting(k -> k.get("id"))
                .containsExactlyElementsOf(active);
        assertThat(upload(Zips.unique(), ORG, PROCEDURE).getString("key_id")).isEqualTo(active.get(0));
    }

    @Test
    void theDatabaseRefusesASecondActiveKeyOfOneOrganization() throws Exception {
        upload(Zips.unique(), ORG, PROCEDURE);
        try (Connection c = connect();
             PreparedStatement insert = c.prepareStatement("insert into signing_keys (id, organization_id, algorithm,"
                     + " public_key, private_key, created_at, activated_at) values ('ed25519-sneaky', ?, 'Ed25519',"
                     + " '\\x00', '\\x00', now(), now())")) {
            insert.setString(1, ORG);
            assertThatThrownBy(insert::executeUpdate).isInstanceOf(SQLException.class)
                    .hasMessageContaining("signing_keys_one_active_per_org");
        }
    }

    @Test
    void concurrentFirstUploadsOfANewOrganizationAgreeOnOneKey() throws Exception {
        String org = "org_first" + System.nanoTime();
        int parallel = 6;
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> keyIds = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                keyIds.add(pool.submit(() -> {
                    go.await();
                    return upload(Zips.unique(), org, PROCEDURE).getString("key_id");
                }));
            }
            go.countDown();
            Set<String> seen = new HashSet<>();
            for (Future<String> id : keyIds) {
                seen.add(id.get(60, TimeUnit.SECONDS));
            }
            assertThat(seen).hasSize(1);
            assertThat(activeIds(org)).containsExactlyElementsOf(seen);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onlyAdminsRotate() throws Exception {
        upload(Zips.unique(), ORG, PROCEDURE);
        List<String> activeBefore = activeIds(ORG);
        for (String key : List.of(FakeDeploymentService.MEMBER_KEY, FakeDeploymentService.VIEWER_KEY)) {
            Response refused = rotate(key);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.jsonPath().getString("type")).endsWith("/missing-role");
        }
        assertThat(activeIds(ORG)).isEqualTo(activeBefore);
        // Viewers and members read the list.
        keys(FakeDeploymentService.VIEWER_KEY);
        keys(FakeDeploymentService.MEMBER_KEY);
        RestAssured.given().post("/v2/keys/rotate").then().statusCode(401);
    }

    @Test
    void oneOrganizationsSignatureNeverVerifiesForAnotherOrganizationOrProcedure() throws Exception {
        byte[] bytes = Zips.unique();
        JsonPath mine = upload(bytes, ORG, PROCEDURE);
        JsonPath theirs = upload(bytes, OTHER_ORG, PROCEDURE);
        String digest = mine.getString("digest");
        assertThat(theirs.getString("digest")).as("same bytes, same digest").isEqualTo(digest);
        assertThat(theirs.getString("key_id")).as("each organization has its own key")
                .isNotEqualTo(mine.getString("key_id"));

        JsonPath myKeys = keys(FakeDeploymentService.API_KEY);
        JsonPath theirKeys = keys(FakeDeploymentService.OTHER_ORG_KEY);
        assertThat(theirKeys.getList("keys.id")).doesNotContainAnyElementsOf(myKeys.getList("keys.id"));
        assertThat(theirKeys.getList("keys.organization_id")).containsOnly(OTHER_ORG);
        RestAssured.given().header("Authorization", "Bearer " + FakeDeploymentService.OTHER_ORG_KEY)
                .get("/v2/keys/" + mine.getString("key_id")).then().statusCode(404);

        PublicKey myKey = publicKey(myKeys, mine.getString("key_id"));
        String signature = mine.getString("signature");
        assertThat(ArtifactStoreTest.verifiesMessage(myKey, message(ORG, PROCEDURE, digest), signature)).isTrue();
        // The same signature, presented as the other organization's or another procedure's artifact: refused.
        assertThat(ArtifactStoreTest.verifiesMessage(myKey, message(OTHER_ORG, PROCEDURE, digest), signature))
                .isFalse();
        assertThat(ArtifactStoreTest.verifiesMessage(myKey, message(ORG, "prc_another", digest), signature))
                .isFalse();
        PublicKey theirKey = publicKey(theirKeys, theirs.getString("key_id"));
        assertThat(ArtifactStoreTest.verifiesMessage(theirKey, message(OTHER_ORG, PROCEDURE, digest), signature))
                .isFalse();
        assertThat(ArtifactStoreTest.verifiesMessage(theirKey, message(OTHER_ORG, PROCEDURE, digest),
                theirs.getString("signature"))).isTrue();

        // A rotation in one organization leaves the other's key active.
        String theirActive = activeIds(OTHER_ORG).get(0);
        rotate(FakeDeploymentService.API_KEY).then().statusCode(201);
        assertThat(activeIds(OTHER_ORG)).containsExactly(theirActive);
    }

    @Test
    void theInternalListAnswersWithAnETagAndNotModified() {
        upload(Zips.unique(), ORG, PROCEDURE);
        String path = "/internal/v1/organizations/" + ORG + "/keys";
        Response first = internal().get(path);
        assertThat(first.statusCode()).isEqualTo(200);
        String etag = first.header("ETag");
        assertThat(etag).isNotBlank();
        assertThat(first.jsonPath().getList("keys.organization_id")).containsOnly(ORG);

        internal().header("If-None-Match", etag).get(path).then().statusCode(304);

        rotate(FakeDeploymentService.API_KEY).then().statusCode(201);
        Response changed = internal().header("If-None-Match", etag).get(path);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.header("ETag")).isNotEqualTo(etag);
        RestAssured.given().get(path).then().statusCode(401);
    }

    @Test
    void anUploadMustNameItsOrganizationAndProcedure() {
        byte[] bytes = Zips.unique();
        internal().contentType("application/zip").body(bytes).post("/internal/v1/artifacts")
                .then().statusCode(400).contentType("application/problem+json");
        internal().contentType("application/zip").body(bytes)
                .post("/internal/v1/artifacts?organization_id=" + ORG + "&procedure_id=bad%0Aid")
                .then().statusCode(400);
    }
}
