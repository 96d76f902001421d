package io.benchline.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The demo a newcomer starts from: a git repository holding a procedure, that procedure registered
 * with auto-push, a station linked to it for production, and a station agent serving it. A
 * post-commit hook in the repository sends a signed GitHub push webhook, so {@code git commit} deploys.
 * Created once; a restart reuses it.
 */
public final class Demo {
    static final String FULL_NAME = "demo/voltage-check";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalStack stack;
    private final Path dir;
    private final Properties state = new Properties();
    private ProcessSupervisor.Child agent;

    Demo(LocalStack stack) {
        this.stack = stack;
        this.dir = stack.options().dir().resolve("demo");
    }

    public Path repo() {
        return dir.resolve("voltage-check");
    }

    public String procedureId() {
        return state.getProperty("procedure-id");
    }

    public String stationId() {
        return state.getProperty("station-id");
    }

    void setUp() {
        try {
            Files.createDirectories(dir);
            Path stateFile = dir.resolve("demo.properties");
            if (Files.exists(stateFile)) {
                try (var in = Files.newBufferedReader(stateFile)) {
                    state.load(in);
                }
            }
            if (procedureId() == null) {
                createRepository();
                JsonNode procedure = api("POST", "/v2/procedures", Map.of(
                        "name", "voltage-check",
                        "repository", Map.of("provider", "github", "clone_url", "file://" + repo().toAbsolutePath(),
                                "full_name", FULL_NAME),
                        "production_branch", "main",
                        "auto_push", true));
                state.setProperty("procedure-id", procedure.path("id").asText());
                state.setProperty("hook-id", procedure.path("webhook").path("id").asText());
                state.setProperty("hook-secret", procedure.path("webhook").path("secret").asText());
                JsonNode station = api("POST", "/v2/stations", Map.of("name", "bench-01"));
                state.setProperty("station-id", station.path("id").asText());
                state.setProperty("agent-token", station.path("agent_token").asText());
                api("POST", "/v2/stations/" + stationId() + "/links",
                        Map.of("procedure_id", procedureId(), "environment", "production"));
                try (var out = Files.newBufferedWriter(stateFile)) {
                    state.store(out, "Benchline demo: ids and secrets created on first start");
                }
                installHook();
            }
            // No trusted-keys file: the agent trusts the organization's signing keys it fetches from the dispatcher
            // (GET /agent/v1/keys), which also brings rotated keys without a restart.
            agent = stack.startJavaProcess("demo-agent", stack.layout().cliJar().toString(), "io.benchline.cli.Main",
                    List.of("agent", "--url", stack.baseUrl(), "--token", state.getProperty("agent-token"),
                            "--work-dir", dir.resolve("station").toString(),
                            "--poll-interval", "1s"),
                    stack.options().dir().resolve("logs/demo-agent.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void createRepository() throws IOException {
        Path repo = repo();
        if (Files.exists(repo.resolve(".git"))) {
            return;
        }
        Files.createDirectories(repo);
        Files.writeString(repo.resolve("procedure.yaml"), """
                name: voltage-check
                runtime: python 3.11
                entry_point: main.py
                """);
        Files.writeString(repo.resolve("main.py"), """
                import os

                # A stand-in for a real hardware test: measure, compare with limits, exit 0 on pass.
                volts = 3.30
                print(f"deployment {os.environ.get('BENCHLINE_DEPLOYMENT_ID')}: rail 3V3 = {volts:.2f} V")
                raise SystemExit(0 if 3.20 <= volts <= 3.40 else 1)
                """);
        Files.writeString(repo.resolve("requirements.txt"), "# no third-party packages yet\n");
        GitPush.git(repo, "init", "-q", "-b", "main");
        GitPush.git(repo, "config", "user.name", "Benchline Demo");
        GitPush.git(repo, "config", "user.email", "demo@benchline.local");
        GitPush.git(repo, "add", "-A");
        GitPush.git(repo, "commit", "-q", "-m", "First version of the voltage check");
    }

    private void installHook() throws IOException {
        Path hook = repo().resolve(".git/hooks/post-commit");
        String classpath = Files.readString(stack.layout().root().resolve("local-stack/target/classpath.txt")).trim()
                + ":" + stack.layout().root().resolve("local-stack/target/classes");
        Files.writeString(hook, "#!/bin/sh\n"
                + "# Benchline demo: tell the local stack about this commit the way GitHub would (signed push webhook).\n"
                + "exec '" + ProcessSupervisor.javaExecutable() + "' -cp '" + classpath + "' " + GitPush.class.getName()
                + " '" + stack.baseUrl() + "' '" + state.getProperty("hook-id") + "' '" + state.getProperty("hook-secret")
                + "' \"$(git rev-parse --show-toplevel)\" '" + FULL_NAME + "'\n");
        hook.toFile().setExecutable(true);
    }

    /** Sends a push webhook for the demo repository's HEAD, as the hook does. */
    public void push() throws IOException, InterruptedException {
        String after = GitPush.git(repo(), "rev-parse", "HEAD").trim();
        byte[] payload = GitPush.payload(repo(), FULL_NAME, "file://" + repo().toAbsolutePath(), "main", GitPush.ZERO,
                after);
        GitPush.send(stack.baseUrl(), state.getProperty("hook-id"), state.getProperty("hook-secret"), payload,
                java.util.UUID.randomUUID().toString());
    }

    private JsonNode api(String method, String path, Object body) throws IOException {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.baseUrl() + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + stack.apiKey())
                    .header("Content-Type", "application/json");
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new StackException("demo setup: " + method + " " + path + " answered " + response.statusCode()
                        + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted");
        }
    }

    String banner() {
        String base = stack.baseUrl();
        String key = stack.apiKey();
        return """

                ┌─ Benchline is running ──────────────────────────────────────────────────────────────
                │ Base URL     %1$s   (REST API /v2, webhooks /webhooks, agents /agent)
                │ Dashboard    %1$s/   (sign in with the API key below)
                │ API key      %2$s
                │ Procedure    %3$s  (voltage-check, repo %4$s)
                │ Station      %5$s  (bench-01, linked for production, agent running)
                │ Logs         %6$s
                │
                │ Make a deployment by pushing (a post-commit hook sends GitHub's signed push webhook):
                │   cd %4$s
                │   sed -i 's/3.30/3.31/' main.py && git commit -qam "Tune the rail reading"
                │
                │ Watch it build and reach the station:
                │   curl -s -H "Authorization: Bearer %2$s" "%1$s/v2/deployments?procedure_id=%3$s"
                │   curl -s -H "Authorization: Bearer %2$s" %1$s/v2/stations/%5$s
                │ Or build a commit by hand (a preview deployment):
                │   curl -s -X POST -H "Authorization: Bearer %2$s" -H 'Content-Type: application/json' \\
                │        -d '{"procedure_id":"%3$s","branch":"main"}' %1$s/v2/deployments
                │
                │ Stop with Ctrl-C (or ./benchline-local down). Data stays in %7$s.
                └──────────────────────────────────────────────────────────────────────────────────────
                """.formatted(base, key, procedureId(), repo(), stationId(), stack.options().dir().resolve("logs"),
                stack.options().dir());
    }
}
