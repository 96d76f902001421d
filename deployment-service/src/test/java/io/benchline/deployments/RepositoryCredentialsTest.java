package io.benchline.deployments;

import io.benchline.events.BuildRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.EventIds;
import io.benchline.events.EventSchemas;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.benchline.testsupport.LogCapture;
import io.benchline.testsupport.SecretScan;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.OTHER_KEY;
import static io.benchline.deployments.TestSupport.WAIT;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.failed;
import static io.benchline.deployments.TestSupport.inSession;
import static io.benchline.deployments.TestSupport.internal;
import static io.benchline.deployments.TestSupport.pendingDeployment;
import static io.benchline.deployments.TestSupport.procedureBody;
import static io.benchline.deployments.TestSupport.sendCompleted;
import static io.benchline.deployments.TestSupport.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clone URLs pass the clone URL policy (defaults here: https and ssh to public hosts), and repository credentials
 * are write-only, encrypted at rest, referenced (never carried) by build.requested and handed out only to a build of
 * the procedure over the internal API. No secret reaches a log line or a topic.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class RepositoryCredentialsTest {
    private static final String PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE"
            + "bm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQ\n-----END OPENSSH PRIVATE KEY-----\n";

    private static String token() {
        return "ghp_" + UUID.randomUUID().toString().replace("-", "");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withCredentials(Map<String, Object> body, Map<String, Object> credentials) {
        ((Map<String, Object>) body.get("repository")).put("credentials", credentials);
        return body;
    }

    private static Map<String, Object> repository(String cloneUrl, Map<String, Object> credentials) {
        Map<String, Object> repo = new HashMap<>();
        repo.put("clone_url", cloneUrl);
        if (credentials != null) {
            repo.put("credentials", credentials);
        }
        return Map.of("repository", repo);
    }

    private static JsonPath refused(Response r, String rule) {
        r.then().statusCode(400).contentType("application/problem+json");
        JsonPath problem = r.jsonPath();
        assertThat(problem.getString("type")).isEqualTo("https://benchline.io/problems/clone-url-not-allowed");
        assertThat(problem.getString("rule")).isEqualTo(rule);
        assertThat(problem.getList("errors.field", String.class)).containsExactly("repository.clone_url");
        return problem;
    }

    @Test
    void cloneUrlsThePolicyRefusesAre400ProblemsNamingTheRule() {
        Map<String, String> cases = Map.of(
                "file:///etc/passwd", "file-not-allowed",
                "/var/lib/benchline", "file-not-allowed",
                "https://127.0.0.1/acme/rig.git", "private-host",
                "https://169.254.169.254/latest/meta-data", "private-host",
                "https://localhost/acme/rig.git", "private-host",
                "git@10.0.0.7:acme/rig.git", "private-host",
                "https://[::1]/acme/rig.git", "private-host",
                "http://github.com/acme/rig.git", "scheme-not-allowed",
                "https://x-access-token:ghp_abc@github.com/acme/rig.git", "credentials-in-url");
        cases.forEach((url, rule) -> {
            JsonPath problem = refused(as(KEY).body(procedureBody(unique("proc"), url)).post("/v2/procedures"), rule);
            assertThat(problem.getString("detail")).as(url).doesNotContain("ghp_abc");
        });
        assertThat(refused(as(KEY).body(procedureBody(unique("proc"), "https://u:ghp_abc@github.com/a/b.git"))
                .post("/v2/procedures"), "credentials-in-url").getString("detail")).contains("repository.credentials");

        // PATCH is checked the same way, and a refused change changes nothing.
        JsonPath p = as(KEY).body(procedureBody(unique("proc"), "https://github.com/acme/patched.git"))
                .post("/v2/procedures").then().statusCode(201).extract().jsonPath();
        refused(as(KEY).body(repository("file:///srv/other", null)).patch("/v2/procedures/" + p.getString("id")),
                "file-not-allowed");
        refused(as(KEY).body(repository("https://10.1.2.3/acme/x.git", null)).patch("/v2/procedures/" + p.getString("id")),
                "private-host");
        assertThat(as(KEY).get("/v2/procedures/" + p.getString("id")).then().statusCode(200).extract()
                .path("repository.clone_url").toString()).isEqualTo("https://github.com/acme/patched.git");
        // Syntax errors stay field errors of an invalid request.
        as(KEY).body(procedureBody(unique("proc"), "relative/path")).post("/v2/procedures").then().statusCode(400)
                .body("type", org.hamcrest.Matchers.equalTo("https://benchline.io/problems/invalid-request"));
    }

    @Test
    void credentialsAreWriteOnlyEncryptedAtRestAndOnlyReferencedOnKafka() {
        String token = token();
        try (LogCapture logs = LogCapture.start()) {
            Response created = as(KEY).body(withCredentials(procedureBody(unique("proc"),
                    "https://github.com/acme/" + unique("private") + ".git"), Map.of("type", "token", "token", token,
                    "username", "x-access-token"))).post("/v2/procedures");
            created.then().statusCode(201);
            assertThat(created.asString()).doesNotContain(token);
            JsonPath p = created.jsonPath();
            String id = p.getString("id");
            assertThat(p.getBoolean("repository.has_credentials")).isTrue();
            assertThat(p.getString("repository.credentials_type")).isEqualTo("token");
            assertThat(p.getString("repository.credentials_updated_at")).isNotBlank();
            for (String path : List.of("/v2/procedures/" + id, "/v2/procedures")) {
                String body = as(KEY).get(path).then().statusCode(200).extract().asString();
                assertThat(body).as(path).doesNotContain(token).contains("\"has_credentials\":true");
            }

            // At rest: ciphertext and the id of the key, never the token.
            String row = inSession(s -> s.createNativeQuery("select row_to_json(p)::text from procedures p where id = ?1",
                    String.class).setParameter(1, id).getSingleResult());
            assertThat(row).doesNotContain(token).contains("\"credentials_key_id\":\"sk-")
                    .contains("\"credentials_type\":\"token\"");
            String hex = inSession(s -> s.createNativeQuery(
                    "select encode(credentials_ciphertext, 'hex') from procedures where id = ?1", String.class)
                    .setParameter(1, id).getSingleResult());
            assertThat(hex).hasSizeGreaterThan(2 * token.length())
                    .doesNotContain(java.util.HexFormat.of().formatHex(token.getBytes()));

            // build.requested names the procedure as the credentials' reference.
            String deploymentId = pendingDeployment(id);
            List<ConsumerRecord<String, String>> requested = KafkaTestClient.readUntil(Topics.BUILD_REQUESTED,
                    rs -> rs.stream().anyMatch(r -> deploymentId.equals(r.key())), WAIT);
            ConsumerRecord<String, String> record = requested.stream().filter(r -> deploymentId.equals(r.key()))
                    .findFirst().orElseThrow();
            assertThat(EventSchemas.validate(record.value())).isEmpty();
            BuildRequested build = EventCodec.data(EventCodec.parse(record.value()), BuildRequested.class);
            assertThat(build.source().credentialsRef()).isEqualTo(id);
            assertThat(build.source().cloneUrl()).isEqualTo(p.getString("repository.clone_url"));

            // Only the build of one of its deployments gets the token, over the internal API.
            JsonPath handed = internal().queryParam("deployment_id", deploymentId)
                    .get("/internal/v1/procedures/" + id + "/credentials").then().statusCode(200).extract().jsonPath();
            assertThat(handed.getString("type")).isEqualTo("token");
            assertThat(handed.getString("token")).isEqualTo(token);
            assertThat(handed.getString("username")).isEqualTo("x-access-token");
            given().queryParam("deployment_id", deploymentId).get("/internal/v1/procedures/" + id + "/credentials")
                    .then().statusCode(401);
            internal().get("/internal/v1/procedures/" + id + "/credentials").then().statusCode(400);
            String otherProcedure = as(KEY).body(procedureBody(unique("proc"), "https://github.com/acme/o.git"))
                    .post("/v2/procedures").then().statusCode(201).extract().path("id");
            String otherDeployment = pendingDeployment(otherProcedure);
            internal().queryParam("deployment_id", otherDeployment).get("/internal/v1/procedures/" + id + "/credentials")
                    .then().statusCode(409).body("type", org.hamcrest.Matchers.endsWith("/not-building"));
            internal().queryParam("deployment_id", otherDeployment)
                    .get("/internal/v1/procedures/" + otherProcedure + "/credentials")
                    .then().statusCode(404).body("type", org.hamcrest.Matchers.endsWith("/no-credentials"));
            internal().queryParam("deployment_id", EventIds.withPrefix("dep"))
                    .get("/internal/v1/procedures/" + id + "/credentials").then().statusCode(409);
            // Once its build is final, not even that deployment gets it.
            sendCompleted(failed(deploymentId, "no such commit"), deploymentId);
            awaitStatus(deploymentId, "failed");
            internal().queryParam("deployment_id", deploymentId).get("/internal/v1/procedures/" + id + "/credentials")
                    .then().statusCode(409);

            // Nothing the service logged or published holds the token; the hand-out was audited without it.
            assertThat(logs.text()).contains("audit: repository credentials of " + id)
                    .contains("handed to the build of " + deploymentId).doesNotContain(token);
            String canary = "canary-" + UUID.randomUUID();
            KafkaTestClient.send("scan-canary", "k", canary, Map.of());
            assertThat(SecretScan.kafka(BenchlineInfra.kafkaBootstrap(), List.of(canary))).as("the scan finds a secret")
                    .hasSize(1);
            assertThat(SecretScan.kafka(BenchlineInfra.kafkaBootstrap(), List.of(token))).isEmpty();
        }
    }

    @Test
    void patchReplacesAndRemovesCredentialsAndTheyNeverFollowTheUrlToAnotherServer() {
        String first = token();
        String second = token();
        String id = as(KEY).body(withCredentials(procedureBody(unique("proc"), "https://github.com/acme/rot.git"),
                Map.of("type", "token", "token", first))).post("/v2/procedures").then().statusCode(201)
                .extract().path("id");
        String updatedAt = as(KEY).get("/v2/procedures/" + id).then().extract().path("repository.credentials_updated_at");

        JsonPath replaced = as(KEY).body(repository("https://github.com/acme/rot.git", Map.of("type", "token", "token",
                second))).patch("/v2/procedures/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(replaced.getString("repository.credentials_updated_at")).isNotEqualTo(updatedAt);
        String deploymentId = pendingDeployment(id);
        JsonPath handed = internal().queryParam("deployment_id", deploymentId).get("/internal/v1/procedures/" + id
                + "/credentials").then().statusCode(200).extract().jsonPath();
        assertThat(handed.getString("token")).isEqualTo(second);
        assertThat(handed.getString("username")).as("GitHub's user name beside a token").isEqualTo("x-access-token");
        // A PATCH of other fields keeps them; a new URL on the same server keeps them.
        as(KEY).body(Map.of("auto_push", false)).patch("/v2/procedures/" + id).then().statusCode(200)
                .body("repository.has_credentials", org.hamcrest.Matchers.equalTo(true));
        as(KEY).body(repository("https://github.com/acme/renamed.git", null)).patch("/v2/procedures/" + id)
                .then().statusCode(200).body("repository.has_credentials", org.hamcrest.Matchers.equalTo(true));
        // Another server: the token is not sent there.
        as(KEY).body(repository("https://gitlab.com/acme/renamed.git", null)).patch("/v2/procedures/" + id)
                .then().statusCode(200).body("repository.has_credentials", org.hamcrest.Matchers.equalTo(false))
                .body("repository", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("credentials_type")));

        // An SSH deploy key fits ssh URLs only, a token https only; type none removes them.
        as(KEY).body(repository(null, Map.of("type", "ssh_key", "private_key", PEM))).patch("/v2/procedures/" + id)
                .then().statusCode(400).body("type", org.hamcrest.Matchers.endsWith("/credentials-do-not-fit"));
        as(KEY).body(repository("git@gitlab.com:acme/renamed.git", Map.of("type", "ssh_key", "private_key", PEM)))
                .patch("/v2/procedures/" + id).then().statusCode(200)
                .body("repository.credentials_type", org.hamcrest.Matchers.equalTo("ssh_key"));
        as(KEY).body(repository(null, Map.of("type", "token", "token", first))).patch("/v2/procedures/" + id)
                .then().statusCode(400).body("type", org.hamcrest.Matchers.endsWith("/credentials-do-not-fit"));
        as(KEY).body(repository(null, Map.of("type", "none"))).patch("/v2/procedures/" + id).then().statusCode(200)
                .body("repository.has_credentials", org.hamcrest.Matchers.equalTo(false));
        as(OTHER_KEY).body(repository(null, Map.of("type", "none"))).patch("/v2/procedures/" + id)
                .then().statusCode(404);
    }

    @Test
    void badCredentialsAreFieldErrorsThatNeverRepeatTheSecret() {
        Map<String, Map<String, Object>> cases = Map.of(
                "repository.credentials.token", Map.of("type", "token", "token", "ghp_with space"),
                "repository.credentials.type", Map.of("type", "password", "token", "ghp_x"),
                "repository.credentials.private_key", Map.of("type", "ssh_key", "private_key",
                        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nabc\n-----END RSA PRIVATE KEY-----"),
                "repository.credentials.username", Map.of("type", "token", "token", "ghp_ok", "username", "a:b"));
        cases.forEach((field, credentials) -> {
            Response r = as(KEY).body(withCredentials(procedureBody(unique("proc"), "https://github.com/a/b.git"),
                    new HashMap<>(credentials))).post("/v2/procedures");
            r.then().statusCode(400).contentType("application/problem+json");
            assertThat(r.jsonPath().getList("errors.field", String.class)).as(field).contains(field);
            assertThat(r.asString()).doesNotContain("ghp_with space").doesNotContain("ENCRYPTED\\nabc");
        });
        as(KEY).body(withCredentials(procedureBody(unique("proc"), "https://github.com/a/b.git"),
                Map.of("type", "none"))).post("/v2/procedures").then().statusCode(400);
    }
}
