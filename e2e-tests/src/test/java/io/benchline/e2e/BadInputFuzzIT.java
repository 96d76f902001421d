package io.benchline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.e2e.fuzz.Fuzzer;
import io.benchline.e2e.fuzz.OpenApi;
import io.benchline.e2e.fuzz.RawHttp;
import io.benchline.stack.GitPush;
import io.benchline.stack.LocalStack;
import io.benchline.stack.ProcessSupervisor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated junk against every operation of the services' checked-in OpenAPI documents, on the real local stack:
 * public and agent routes through the gateway with a real API key or agent token (so that validation runs) and
 * without, internal routes straight to their service with and without the internal token. Wrong JSON types, missing
 * fields, control characters, long strings, huge numbers, arrays for objects, invalid JSON, wrong content types,
 * junk path and query parameters, other methods, bodies over the limits.
 *
 * <p>Every answer must be below 500, and every 4xx must be {@code application/problem+json} with {@code type},
 * {@code title} and {@code status}. A case no correct server accepts (a wrong JSON type or a control character in a
 * JSON body, no credentials, a method the path does not have) must be refused with a 4xx.
 *
 * <p>Seeded: the seed is printed; {@code -Dbenchline.fuzz.seed=<n>} sends the same cases again.
 * {@code -Dbenchline.fuzz.per-category=<n>} (default 8) bounds the cases per operation and kind of junk.
 */
@org.junit.jupiter.api.Order(org.junit.jupiter.api.Order.DEFAULT + 1) // first on the shared stack (see SharedStack)
class BadInputFuzzIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final List<String> SERVICES = List.of("webhook-service", "deployment-service", "artifact-store",
            "station-dispatcher");
    private static final long MB = 1024 * 1024;

    private static LocalStack stack;
    private static Api api;
    private static Fuzzer.Fixtures fixtures;
    private static Path work;
    /** The exits of the shared stack's parts when this class began. */
    private static Map<String, Exits> exitsAtStart;

    @BeforeAll
    static void startStackAndFixtures() throws Exception {
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "e2e-fuzz-");
        stack = SharedStack.get().stack;
        exitsAtStart = exitsSoFar();
        api = new Api(stack.baseUrl(), stack.apiKey());

        // Records that exist, so that junk in one field reaches the checks of the others.
        Target target = deployTarget("fuzz-target");
        JsonNode station = api.post("/v2/stations", Map.of("name", "fuzz-station")).expect(201).json();
        String stationId = station.get("id").asText();
        api.post("/v2/stations/" + stationId + "/links", Map.of("procedure_id", target.procedureId(), "environment",
                "production")).expect(201);
        String procedureId = target.procedureId();
        String hookId = target.hookId();
        String secret = target.secret();
        byte[] push = target.push();
        JsonNode deployment = target.deployment();
        String spareKey = api.post("/v2/api-keys", Map.of("name", "fuzz-spare", "role", "viewer")).expect(201).json()
                .get("id").asText();

        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("procedure_id", procedureId);
        ids.put("station_id", stationId);
        ids.put("deployment_id", deployment.get("id").asText());
        ids.put("api_key_id", spareKey);
        ids.put("hook_id", hookId);
        ids.put("digest", deployment.at("/artifact/digest").asText());
        ids.put("path", "main.py");
        Map<String, URI> services = new LinkedHashMap<>();
        SERVICES.forEach(s -> services.put(s, URI.create(stack.serviceUrl(s))));
        Map<String, byte[]> examples = Map.of(
                "POST /webhooks/github/{hook_id}", push,
                "POST /webhooks/gitlab/{hook_id}", Files.readAllBytes(stack.layout().root()
                        .resolve("webhook-service/src/test/resources/fixtures/gitlab/goscm-push.json")));
        fixtures = new Fuzzer.Fixtures(URI.create(stack.baseUrl()), services, stack.apiKey(),
                station.get("agent_token").asText(), stack.internalToken(), ids, examples, (op, body) -> {
                    Map<String, String> headers = new LinkedHashMap<>();
                    if (op.path().startsWith("/webhooks/github/")) {
                        headers.put("X-GitHub-Event", "push");
                        headers.put("X-GitHub-Delivery", UUID.randomUUID().toString());
                        headers.put("X-Hub-Signature-256", "sha256=" + GitPush.hmacSha256(secret, body));
                    } else {
                        headers.put("X-Gitlab-Event", "Push Hook");
                        headers.put("X-Gitlab-Token", secret);
                        headers.put("X-Gitlab-Event-UUID", UUID.randomUUID().toString());
                    }
                    return headers;
                });
    }

    /** A procedure in a git repository of its own, pushed once, and its deployment once it is ready. */
    private record Target(String procedureId, String hookId, String secret, byte[] push, JsonNode deployment) {
    }

    private static Target deployTarget(String name) throws Exception {
        Path repo = work.resolve(name);
        Files.createDirectories(repo);
        GitPush.git(repo, "init", "-q", "-b", "main");
        GitPush.git(repo, "config", "user.name", "Fuzz Tester");
        GitPush.git(repo, "config", "user.email", "fuzz@example.com");
        Files.writeString(repo.resolve("procedure.yaml"), "name: " + name + "\nruntime: python 3.11\nentry_point: main.py\n");
        Files.writeString(repo.resolve("main.py"), "print('ok')\n");
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "Fuzz target");
        String commit = GitPush.git(repo, "rev-parse", "HEAD").trim();
        String cloneUrl = "file://" + repo.toAbsolutePath();
        JsonNode procedure = api.post("/v2/procedures", Map.of("name", name, "repository",
                Map.of("provider", "github", "clone_url", cloneUrl, "full_name", "acme/" + name))).expect(201).json();
        String procedureId = procedure.get("id").asText();
        String hookId = procedure.at("/webhook/id").asText();
        String secret = procedure.at("/webhook/secret").asText();
        byte[] push = GitPush.payload(repo, "acme/" + name, cloneUrl, "main", GitPush.ZERO, commit);
        assertThat(GitPush.send(stack.baseUrl(), hookId, secret, push, UUID.randomUUID().toString()).statusCode())
                .isEqualTo(202);
        JsonNode deployment = Await.until(name + "'s deployment is ready", WAIT, () -> {
            JsonNode first = api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json().at("/data/0");
            return "ready".equals(first.path("status").asText()) ? first : null;
        });
        return new Target(procedureId, hookId, secret, push, deployment);
    }

    /** A part's process (every service's first instance, the gateway) and the exits the supervisor saw of it. */
    private record Exits(ProcessSupervisor.Child child, int seen) {
    }

    /** Each part of the stack now. */
    private static Map<String, Exits> exitsSoFar() {
        List<String> parts = new ArrayList<>(LocalStack.SERVICES);
        parts.add(LocalStack.GATEWAY);
        Map<String, Exits> exits = new LinkedHashMap<>();
        for (String part : parts) {
            var child = stack.service(part).orElseThrow(() -> new AssertionError(part + " is not running"));
            exits.put(part, new Exits(child, child.exitsSeen()));
        }
        return exits;
    }

    /**
     * After the fuzz: no process exited since this class began (the supervisor would have restarted it; the stack is
     * shared, so exits before, such as PushToStationIT's kills, are not counted), every part is ready, and the whole
     * flow still works — a new procedure is pushed, built and reaches a new station's pointer and its agent channel.
     */
    private static void stackStillWorks() throws Exception {
        Map<String, Exits> now = exitsSoFar();
        for (String part : now.keySet()) {
            var child = now.get(part).child();
            assertThat(child).as("%s's process, since this class began", part)
                    .isSameAs(exitsAtStart.get(part).child());
            assertThat(now.get(part).seen()).as("%s exited during the fuzz or its setup; see %s", part, child.log())
                    .isEqualTo(exitsAtStart.get(part).seen());
            assertThat(stack.serviceReady(part)).as("%s ready after the fuzz", part).isTrue();
        }
        Target after = deployTarget("after-fuzz");
        JsonNode station = api.post("/v2/stations", Map.of("name", "after-fuzz")).expect(201).json();
        String stationId = station.get("id").asText();
        api.post("/v2/stations/" + stationId + "/links", Map.of("procedure_id", after.procedureId(), "environment",
                "production")).expect(201);
        String deploymentId = after.deployment().get("id").asText();
        Await.until("the station's pointer names the deployment pushed after the fuzz", WAIT, () -> {
            for (JsonNode p : api.get("/v2/stations/" + stationId).expect(200).json().path("pointers")) {
                if (p.path("procedure_id").asText().equals(after.procedureId())
                        && p.path("deployment_id").asText().equals(deploymentId)) {
                    return true;
                }
            }
            return null;
        });
        Api agent = new Api(stack.baseUrl(), station.get("agent_token").asText());
        assertThat(agent.get("/agent/v1/assignments").expect(200).body()).contains(deploymentId);
    }

    @Test
    void junkOnEveryOperationIsRefusedWithProblemJsonAndNeverAFiveHundred() throws Exception {
        long seed = Long.getLong("benchline.fuzz.seed", new SecureRandom().nextLong());
        int perCategory = Integer.getInteger("benchline.fuzz.per-category", 8);
        System.out.printf("fuzz seed %d (again with -Dbenchline.fuzz.seed=%d), %d cases per operation and kind%n",
                seed, seed, perCategory);

        List<OpenApi.Operation> operations = new ArrayList<>();
        for (String service : SERVICES) {
            operations.addAll(OpenApi.read(stack.layout().root(), service));
        }
        assertThat(operations).extracting(OpenApi.Operation::path)
                .anyMatch(p -> p.startsWith("/agent/v1/")).anyMatch(p -> p.startsWith("/webhooks/"))
                .anyMatch(p -> p.startsWith("/v2/keys")).anyMatch(p -> p.startsWith("/v2/procedures"));
        Fuzzer fuzzer = new Fuzzer(seed, fixtures, perCategory);
        List<Fuzzer.Case> cases = new ArrayList<>(fuzzer.cases(operations));
        cases.addAll(fuzzer.tooLarge(operations, 300 * 1024, 11 * MB, 26 * MB));
        cases.addAll(fuzzer.tooLong(operations));

        long started = System.nanoTime();
        List<String> sent = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> byStatus = new TreeMap<>();
        Map<String, Integer> byClass = new TreeMap<>();
        Map<String, Integer> byCategory = new TreeMap<>();
        Fuzzer.Case previous = null;
        for (Fuzzer.Case c : cases) {
            RawHttp.Response response = RawHttp.send(c.base(), c.request());
            sent.add(java.time.LocalTime.now() + " " + response.status() + " [" + c.category() + "] "
                    + c.request().describe() + " — " + c.what());
            byStatus.merge(response.status() == 0 ? "none" : Integer.toString(response.status()), 1, Integer::sum);
            byClass.merge(response.status() == 0 ? "none" : response.status() / 100 + "xx", 1, Integer::sum);
            byCategory.merge(c.category(), 1, Integer::sum);
            String broken = broken(c, response);
            if (broken != null) {
                failures.add("[" + c.category() + "] " + c.operation() + " — " + c.what() + "\n      "
                        + c.request().describe() + "\n      → " + response.status() + " "
                        + response.header("Content-Type") + " " + abbreviate(response.text()) + "\n      " + broken
                        + (previous == null ? "" : "\n      (sent after: [" + previous.category() + "] "
                        + previous.request().describe() + ")"));
            }
            previous = c;
        }
        Files.write(work.resolve("requests.log"), sent);
        Files.write(work.resolve("failures.log"), failures);
        System.out.printf("fuzz: %d operations, %d requests in %.1f s; answers by status %s (%s); cases %s; %d broke the"
                        + " rules (%s)%n", operations.size(), cases.size(), (System.nanoTime() - started) / 1e9, byStatus,
                byClass, byCategory, failures.size(), work.resolve("failures.log"));
        stackStillWorks();
        assertThat(failures).as("seed %d: %d of %d answers break the rules:%n%s", seed, failures.size(), cases.size(),
                String.join("\n", failures.subList(0, Math.min(80, failures.size())))).isEmpty();
    }

    /** What is wrong with the answer to a case, or null. */
    private static String broken(Fuzzer.Case c, RawHttp.Response response) {
        if (response.status() == 0) {
            return "no answer: " + response.error();
        }
        if (response.status() >= 500) {
            return "a 5xx for bad input";
        }
        if (c.mustRefuse() && response.status() < 400) {
            return "accepted, but no correct server accepts this";
        }
        if (response.status() < 400) {
            return null;
        }
        String type = response.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/problem+json")) {
            return "an error without Content-Type application/problem+json";
        }
        try {
            JsonNode problem = Api.JSON_READER.readTree(response.body());
            if (!problem.path("type").isTextual() || !problem.path("title").isTextual()
                    || problem.path("status").asInt(-1) != response.status()) {
                return "a problem body without type, title or the answer's status";
            }
        } catch (Exception e) {
            return "a problem body that is not JSON: " + e.getMessage();
        }
        return null;
    }

    private static String abbreviate(String s) {
        String flat = s.replace("\n", " ");
        return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
    }
}
