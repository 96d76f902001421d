package io.benchline.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** benchline login, logout and completion, and where commands take their URL and key from. */
class LoginTest {
    @TempDir
    Path temp;

    private FakeApi api;
    private Path config;

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        config = temp.resolve("cfg/benchline/config.json");
        ApiOptions.environment = Map.of("BENCHLINE_CONFIG", config.toString());
    }

    @AfterEach
    void stop() {
        api.close();
        ApiOptions.environment = System.getenv();
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void loginChecksTheKeySavesItPrivatelyAndOtherCommandsUseIt() throws Exception {
        api.answer("GET /v2/deployments?limit=1", 200, "{\"data\":[]}");
        Result login = run("login", "--url", api.url() + "/", "--api-key", FakeApi.KEY);
        assertThat(login.exit()).as(login.err()).isZero();
        assertThat(login.out()).contains("logged in to " + api.url());
        assertThat(Files.getPosixFilePermissions(config)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(config)).contains(FakeApi.KEY).contains(api.url());

        api.answer("GET /v2/deployments", 200, "{\"data\":[]}");
        Result list = run("deployments", "list", "--json");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(api.requests.get(api.requests.size() - 1).authorization()).isEqualTo("Bearer " + FakeApi.KEY);

        // The environment wins over the file, a flag over both.
        ApiOptions.environment = Map.of("BENCHLINE_CONFIG", config.toString(), "BENCHLINE_API_KEY", "blk_from_env");
        run("deployments", "list", "--json");
        assertThat(api.requests.get(api.requests.size() - 1).authorization()).isEqualTo("Bearer blk_from_env");
        run("deployments", "list", "--json", "--api-key", "blk_from_flag");
        assertThat(api.requests.get(api.requests.size() - 1).authorization()).isEqualTo("Bearer blk_from_flag");

        Result logout = run("logout");
        assertThat(logout.out()).startsWith("logged out");
        assertThat(config).doesNotExist();

        Result asJson = run("login", "--url", api.url(), "--api-key", FakeApi.KEY, "--json");
        assertThat(asJson.exit()).as(asJson.err()).isZero();
        assertThat(Json.MAPPER.readTree(asJson.out()).path("config").asText()).isEqualTo(config.toString());
        assertThat(asJson.out()).doesNotContain(FakeApi.KEY);
        assertThat(Json.MAPPER.readTree(run("logout", "--json").out()).path("removed").asBoolean()).isTrue();
        assertThat(Json.MAPPER.readTree(run("logout", "--json").out()).path("removed").asBoolean()).isFalse();
    }

    @Test
    void aRefusedKeyIsNotSavedAndNoSettingsIsAUsageError() {
        api.problem("GET /v2/deployments?limit=1", 401, "{\"title\":\"Unauthorized\",\"status\":401,"
                + "\"detail\":\"the API key is not valid\"}");
        Result login = run("login", "--url", api.url(), "--api-key", "blk_wrong");
        assertThat(login.exit()).isEqualTo(Exit.DENIED);
        assertThat(login.err()).contains("the API key is not valid");
        assertThat(config).doesNotExist();

        Result nothing = run("deployments", "list");
        assertThat(nothing.exit()).isEqualTo(Exit.USAGE);
        assertThat(nothing.err()).contains("no Benchline URL: pass --url, set BENCHLINE_URL, or run benchline login");
    }

    @Test
    void completionPrintsABashScriptForEveryCommand() {
        Result completion = run("completion");
        assertThat(completion.exit()).isZero();
        assertThat(completion.out()).contains("complete -F").contains("logs").contains("promote").contains("--follow");
    }
}
