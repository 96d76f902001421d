package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code benchline deploy} end to end against {@link FakeApi} and {@link FakeS3}. */
class DeployCommandTest {
    @TempDir
    Path temp;

    private FakeApi api;
    private FakeS3 s3;
    private Path dir;
    private Terminal terminal;
    private final List<String> questions = new ArrayList<>();

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        s3 = new FakeS3();
        ApiOptions.environment = Map.of();
        terminal = terminal(false, null);
        dir = Files.createDirectories(temp.resolve("flash-test"));
        Files.writeString(dir.resolve("procedure.yaml"), "name: flash-test\n");
        Files.writeString(dir.resolve("main.py"), "print('flash')\n");
        Files.writeString(dir.resolve(".gitignore"), "*.log\n");
        Files.writeString(dir.resolve("debug.log"), "not packed\n");
    }

    @AfterEach
    void stop() {
        api.close();
        s3.close();
        ApiOptions.environment = System.getenv();
    }

    private Terminal terminal(boolean interactive, String answer) {
        return new Terminal() {
            @Override
            public boolean interactive() {
                return interactive;
            }

            @Override
            public boolean confirm(String question) {
                questions.add(question);
                return Terminal.isYes(answer);
            }
        };
    }

    private Result deploy(String... args) {
        List<String> all = new ArrayList<>(List.of("deploy"));
        all.addAll(List.of(args));
        all.addAll(List.of("--url", api.url(), "--api-key", FakeApi.KEY));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine(terminal);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    private void serverBuilds(String environment, String status, String reason) {
        FakeBuilds.uploads(api, s3);
        api.answer("POST /v2/deployments", 202, FakeBuilds.deployment("dep_1", environment, "pending", ""));
        FakeBuilds.build(api, "dep_1", environment, status, reason);
    }

    private static String nl(String... lines) {
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Entry name → content of a zip. */
    private static Map<String, String> entries(byte[] zip) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), new String(in.readAllBytes()));
            }
        }
        return entries;
    }

    private JsonNode deploymentRequest() throws IOException {
        List<FakeApi.Request> created = api.requests("POST", "/v2/deployments");
        assertThat(created).hasSize(1);
        return created.get(0).json();
    }

    @Test
    void deploysAPreviewUploadingTheZipToThePresignedUrlWithoutTheApiKey() throws Exception {
        serverBuilds("preview", "ready", null);
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(api.requests).extracting(q -> q.method() + " " + q.path()).containsExactly(
                "POST /v2/uploads", "POST /v2/deployments", "GET /v2/deployments/dep_1/logs", "GET /v2/deployments/dep_1");

        FakeS3.Put put = s3.only();
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.path()).isEqualTo("/benchline-uploads/org_1/" + FakeBuilds.UPLOAD_ID);
        assertThat(put.query()).contains("X-Amz-Signature=0123abcd").doesNotContain(FakeApi.KEY);
        assertThat(put.header("Authorization")).as("the API key never goes to the object store").isNull();
        assertThat(put.headers().values()).allSatisfy(values -> assertThat(values).noneMatch(
                v -> v.contains(FakeApi.KEY)));
        assertThat(put.header("Content-Type")).isEqualTo("application/zip");
        assertThat(put.header("Content-Length")).isEqualTo(String.valueOf(put.body().length));

        JsonNode announced = api.requests("POST", "/v2/uploads").get(0).json();
        assertThat(api.requests("POST", "/v2/uploads").get(0).authorization()).isEqualTo("Bearer " + FakeApi.KEY);
        assertThat(announced.path("size_bytes").asLong()).isEqualTo(put.body().length);
        assertThat(announced.path("sha256").asText()).isEqualTo(sha256(put.body()));
        assertThat(entries(put.body())).containsExactly(Map.entry(".gitignore", "*.log\n"),
                Map.entry("main.py", "print('flash')\n"), Map.entry("procedure.yaml", "name: flash-test\n"));

        assertThat(deploymentRequest()).isEqualTo(Json.MAPPER.readTree("{\"procedure_id\":\"prc_1\",\"upload_id\":\""
                + FakeBuilds.UPLOAD_ID + "\",\"environment\":\"preview\",\"commit\":{\"sha\":null,\"message\":"
                + "\"uploaded from flash-test\",\"author\":\"" + System.getProperty("user.name") + "\"}}"));

        assertThat(r.out()).isEqualTo(nl("t1 INFO installing", "t2 INFO checked dep_1",
                "deployment dep_1 ready (preview of procedure prc_1)", "url: " + api.url() + "/v2/deployments/dep_1"));
        assertThat(r.err()).as("plain status lines, no bar, when standard error is no terminal")
                .contains("packed 3 files", "uploaded ", FakeBuilds.UPLOAD_ID, "created deployment dep_1 (preview)",
                        "build ready after 2 log lines")
                .doesNotContain("\r");
    }

    @Test
    void aFailedBuildIsExit1WithTheReason() {
        serverBuilds("preview", "failed", "procedure.yaml: unknown key 'phase'");
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1");

        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(r.out()).endsWith(nl("deployment dep_1 failed: procedure.yaml: unknown key 'phase'",
                "url: " + api.url() + "/v2/deployments/dep_1"));
    }

    @Test
    void jsonPrintsOnlyTheFinalDeployment() {
        serverBuilds("preview", "ready", null);
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1", "--json");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(FakeBuilds.deployment("dep_1", "preview", "ready", "") + System.lineSeparator());
    }

    @Test
    void noFollowCreatesAndPrintsWithoutWaitingForTheBuild() {
        serverBuilds("preview", "ready", null);
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1", "--no-follow");

        assertThat(r.exit()).isZero();
        assertThat(api.requests).extracting(FakeApi.Request::path).containsExactly("/v2/uploads", "/v2/deployments");
        assertThat(r.out()).isEqualTo(nl("created deployment dep_1 (preview of procedure prc_1), status pending",
                "url: " + api.url() + "/v2/deployments/dep_1"));
    }

    @Test
    void prodWithoutATerminalAndWithoutYesSendsNothing() {
        serverBuilds("production", "ready", null);
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1", "--prod");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("not deploying", "to production without confirmation", "--yes");
        assertThat(api.requests).isEmpty();
        assertThat(s3.requests).isEmpty();
    }

    @Test
    void jsonWithProdNeedsYes() {
        terminal = terminal(true, "y");
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1", "--prod", "--json");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("--json --prod needs --yes");
        assertThat(questions).isEmpty();
        assertThat(api.requests).isEmpty();
    }

    @Test
    void prodAsksOnATerminal() throws Exception {
        terminal = terminal(true, "y");
        serverBuilds("production", "ready", null);
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1", "--prod");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(questions).containsExactly("Deploy " + dir.toAbsolutePath() + " to production of procedure prc_1?");
        assertThat(deploymentRequest().path("environment").asText()).isEqualTo("production");
    }

    @Test
    void prodDeclinedOnATerminalSendsNothing() {
        terminal = terminal(true, "n");
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1", "--prod");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).isEqualTo(nl("not deployed"));
        assertThat(api.requests).isEmpty();
    }

    @Test
    void prodWithYesAndJson() throws Exception {
        serverBuilds("production", "ready", null);
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1", "--prod", "--yes", "--json");

        assertThat(r.exit()).isZero();
        assertThat(deploymentRequest().path("environment").asText()).isEqualTo("production");
        assertThat(Json.MAPPER.readTree(r.out()).path("environment").asText()).isEqualTo("production");
    }

    // ---- commit metadata

    private RevCommit commitAll(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor("Ada Lovelace", "ada@example.com")
                .setCommitter("Ada Lovelace", "ada@example.com").setSign(false).call();
    }

    @Test
    void aCleanRepositorySendsHeadsCommit() throws Exception {
        try (Git git = Git.init().setDirectory(dir.toFile()).call()) {
            RevCommit head = commitAll(git, "Add the flash test\n\nWith a longer body.\n");
            serverBuilds("preview", "ready", null);
            Result r = deploy(dir.toString(), "--procedure-id", "prc_1");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(deploymentRequest().path("commit")).isEqualTo(Json.MAPPER.readTree("{\"sha\":\"" + head.name()
                    + "\",\"message\":\"Add the flash test\\n\\nWith a longer body.\",\"author\":\"Ada Lovelace\"}"));
            assertThat(entries(s3.only().body())).doesNotContainKey(".git/HEAD").doesNotContainKey("debug.log");
        }
    }

    @Test
    void aDirtyRepositorySendsNoShaAndSaysSo() throws Exception {
        try (Git git = Git.init().setDirectory(dir.toFile()).call()) {
            commitAll(git, "Add the flash test\n\nWith a longer body.\n");
            StoredConfig config = git.getRepository().getConfig();
            config.setString("user", null, "name", "Grace Hopper");
            config.save();
            Files.writeString(dir.resolve("main.py"), "print('flash v2')\n");
            serverBuilds("preview", "ready", null);
            Result r = deploy(dir.toString(), "--procedure-id", "prc_1");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(deploymentRequest().path("commit")).isEqualTo(Json.MAPPER.readTree("{\"sha\":null,\"message\":"
                    + "\"Add the flash test + uncommitted changes\",\"author\":\"Grace Hopper\"}"));
            assertThat(entries(s3.only().body())).containsEntry("main.py", "print('flash v2')\n");
        }
    }

    @Test
    void messageReplacesTheCommitMessage() throws Exception {
        try (Git git = Git.init().setDirectory(dir.toFile()).call()) {
            RevCommit head = commitAll(git, "Add the flash test");
            Files.writeString(dir.resolve("new.log"), "ignored: the tree stays clean\n");
            serverBuilds("preview", "ready", null);
            Result r = deploy(dir.toString(), "--procedure-id", "prc_1", "--message", "try the new fixture");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(deploymentRequest().path("commit")).isEqualTo(Json.MAPPER.readTree("{\"sha\":\"" + head.name()
                    + "\",\"message\":\"try the new fixture\",\"author\":\"Ada Lovelace\"}"));
        }
    }

    // ---- the procedure, limits and refusals

    @Test
    void theProcedureComesFromTheEnvironmentOrTheDirectory() throws Exception {
        serverBuilds("preview", "ready", null);
        ApiOptions.environment = Map.of("BENCHLINE_PROCEDURE_ID", "prc_env");
        assertThat(deploy(dir.toString(), "--no-follow").exit()).isZero();
        assertThat(deploymentRequest().path("procedure_id").asText()).isEqualTo("prc_env");

        api.requests.clear();
        ApiOptions.environment = Map.of();
        Files.writeString(dir.resolve(".benchline.json"), "{\"procedure_id\": \"prc_file\"}");
        assertThat(deploy(dir.toString(), "--no-follow").exit()).isZero();
        assertThat(deploymentRequest().path("procedure_id").asText()).isEqualTo("prc_file");
    }

    @Test
    void withoutAProcedureItNamesTheThreeWaysToGiveOne() {
        Result r = deploy(dir.toString());
        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("--procedure-id", "BENCHLINE_PROCEDURE_ID", ".benchline.json");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void aTreeLargerThanMaxSizeIsRefusedBeforeAnyRequest() throws Exception {
        byte[] noise = new byte[40 * 1024];
        new Random(7).nextBytes(noise);
        Files.write(dir.resolve("fixture.bin"), noise);
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1", "--max-size", "16KiB");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("more than the limit of 16.0 KiB", "fixture.bin", "40.0 KiB", "--max-size");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void anUploadTheServerFindsTooLargeIsAUsageError() {
        api.problem("POST /v2/uploads", 413, "{\"type\":\"https://benchline.io/problems/upload-too-large\","
                + "\"title\":\"Upload too large\",\"status\":413,\"detail\":\"an upload may have at most 104857600"
                + " bytes\"}");
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("error: an upload may have at most 104857600 bytes");
        assertThat(s3.requests).isEmpty();
    }

    @Test
    void anObjectStoreRefusalShowsItsStatusAndError() {
        serverBuilds("preview", "ready", null);
        s3.fail(403, "SignatureDoesNotMatch", "The request signature we calculated does not match");
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1");

        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(r.err()).contains("/benchline-uploads/org_1/" + FakeBuilds.UPLOAD_ID + " answered HTTP 403:"
                + " SignatureDoesNotMatch: The request signature we calculated does not match")
                .doesNotContain("X-Amz-Signature");
        assertThat(api.requests).extracting(FakeApi.Request::path).containsExactly("/v2/uploads");
    }

    @Test
    void anEmptyTreeIsAUsageError() throws Exception {
        Path empty = Files.createDirectories(temp.resolve("empty"));
        Files.writeString(empty.resolve(".gitignore"), "*\n");
        Result r = deploy(empty.toString(), "--procedure-id", "prc_1");
        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("nothing to pack");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void maxSizeTakesUnits() {
        assertThat(SizeConverter.parse("95MiB")).isEqualTo(95L << 20);
        assertThat(SizeConverter.parse("10M")).isEqualTo(10L << 20);
        assertThat(SizeConverter.parse("500KB")).isEqualTo(500_000L);
        assertThat(SizeConverter.parse("1048576")).isEqualTo(1L << 20);
        assertThat(SizeConverter.parse("1.5 GiB")).isEqualTo(3L << 29);
        Result r = deploy(dir.toString(), "--procedure-id", "prc_1", "--max-size", "lots");
        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("'lots' is not a size");
    }
}
