package io.benchline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.stack.GitPush;
import io.benchline.stack.LocalStack;
import io.benchline.stack.ProcessSupervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One fault trial's fixture and traffic: its own git repository, procedure, two production stations (one with a
 * real agent process, one that receives pins) and two client threads, one sending signed GitHub pushes, one making
 * API calls (manual deployments, pins, promotes, rollbacks and resumes). Every request and its answer is written
 * down, so the checks afterwards know what was acknowledged. Each API call that leaves a history line carries a
 * unique note, which is how its effect is found again.
 */
final class FaultWorkload {
    /**
     * How a request ended: answered 2xx; refused by a rule (4xx: it must have had no effect at all); failed (5xx, a
     * connection error or a timeout: nothing was promised, so it may have had its effect once, or not at all).
     */
    enum Answer { ACCEPTED, REFUSED, FAILED }

    /** A push delivery: sent once, then redelivered with the same id (as GitHub does) until it is acknowledged. */
    static final class Push {
        final String commit;
        final String deliveryId;
        final byte[] payload;
        final List<String> answers = Collections.synchronizedList(new ArrayList<>());
        volatile boolean acknowledged;

        Push(String commit, String deliveryId, byte[] payload) {
            this.commit = commit;
            this.deliveryId = deliveryId;
            this.payload = payload;
        }
    }

    /**
     * An API call. {@code key} identifies its effect: the commit of a manual deployment, the note of a pin, promote,
     * rollback or resume. {@code subject} is the deployment it names (pin and promote: the source, rollback: the
     * target); {@code resultId} the deployment a 2xx answer returned (manual, promote).
     */
    record Call(String kind, String key, String subject, Answer answer, int status, String resultId, String detail) {
    }

    final String name;
    final String procedureId;
    final String hookId;
    final String secret;
    final String autoStation;
    final String pinStation;
    private final LocalStack stack;
    private final Api api;
    /** Requests that may meet a dead server: they give up after a few seconds. */
    private final Api client;
    private final Api hooks;
    private final Path repo;
    private final String fullName;
    private final Random random;
    private final ProcessSupervisor.Child agent;
    final List<Push> pushes = Collections.synchronizedList(new ArrayList<>());
    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger notes = new AtomicInteger();
    private final Object git = new Object();
    private final List<String> promoted = Collections.synchronizedList(new ArrayList<>());
    private String head = GitPush.ZERO;
    private int commits;
    private volatile boolean paused;
    private volatile boolean stop;
    private final List<Thread> threads = new ArrayList<>();

    private FaultWorkload(String name, LocalStack stack, Api api, Path dir, Path trustedKeys, long seed)
            throws Exception {
        this.name = name;
        this.stack = stack;
        this.api = api;
        this.client = new Api(stack.baseUrl(), stack.apiKey(), Duration.ofSeconds(8));
        this.hooks = new Api(stack.baseUrl(), null, Duration.ofSeconds(8));
        this.random = new Random(seed);
        this.repo = dir.resolve("repo");
        this.fullName = "acme/" + name;
        Files.createDirectories(repo);
        GitPush.git(repo, "init", "-q", "-b", "main");
        GitPush.git(repo, "config", "user.name", "Fault Trial");
        GitPush.git(repo, "config", "user.email", "trials@example.com");
        Files.writeString(repo.resolve("procedure.yaml"), "name: " + name + "\nruntime: python 3.11\nentry_point: main.py\n");
        Files.writeString(repo.resolve("main.py"), "print('trial')\n");
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "Fault trial " + name);

        JsonNode procedure = api.post("/v2/procedures", Map.of("name", name, "repository", Map.of("provider", "github",
                "clone_url", "file://" + repo.toAbsolutePath(), "full_name", fullName))).expect(201).json();
        procedureId = procedure.get("id").asText();
        hookId = procedure.at("/webhook/id").asText();
        secret = procedure.at("/webhook/secret").asText();
        JsonNode a = api.post("/v2/stations", Map.of("name", name + "-auto")).expect(201).json();
        autoStation = a.get("id").asText();
        pinStation = api.post("/v2/stations", Map.of("name", name + "-pins")).expect(201).json().get("id").asText();
        for (String station : List.of(autoStation, pinStation)) {
            api.post("/v2/stations/" + station + "/links", Map.of("procedure_id", procedureId,
                    "environment", "production")).expect(201);
        }
        agent = stack.startJavaProcess("agent-" + name, stack.layout().cliJar().toString(), "io.benchline.cli.Main",
                List.of("agent", "--url", stack.baseUrl(), "--token", a.get("agent_token").asText(),
                        "--trusted-keys", trustedKeys.toString(), "--work-dir", dir.resolve("station").toString(),
                        "--poll-interval", "500ms"),
                dir.resolve("agent.log"));
    }

    static FaultWorkload create(String name, LocalStack stack, Api api, Path dir, Path trustedKeys, long seed)
            throws Exception {
        return new FaultWorkload(name, stack, api, dir, trustedKeys, seed);
    }

    /** A first production deployment that reaches the agent, so rollbacks have a target that once ran. */
    void warmUp(Duration timeout) throws Exception {
        Push first = newPush();
        deliver(first, timeout);
        String dep = Await.until("the warm-up push of " + name + " is ready", timeout, () -> {
            JsonNode d = deploymentOf(first.commit);
            return d != null && "ready".equals(d.path("status").asText()) ? d.get("id").asText() : null;
        });
        Await.until("the agent of " + name + " runs the warm-up deployment", timeout,
                () -> dep.equals(pointer(autoStation).path("actual_deployment_id").asText()) ? true : null);
    }

    /** Starts the two client threads. */
    void start() {
        threads.add(new Thread(() -> loop(this::pushOnce, 150, 450), name + "-pushes"));
        threads.add(new Thread(() -> loop(this::apiOnce, 100, 400), name + "-api"));
        threads.forEach(Thread::start);
    }

    /** Stops the client threads after their request in flight (each gives up after a few seconds). */
    void stop() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    void stopAgent() {
        stack.stopProcess(agent);
    }

    private interface Step {
        void run() throws Exception;
    }

    private void loop(Step step, int minPauseMillis, int maxPauseMillis) {
        while (!stop) {
            try {
                step.run();
            } catch (InterruptedException e) {
                return;
            } catch (Exception | AssertionError e) {
                // Reading the state for the next choice failed (a server is down): choose again later.
            }
            int pause;
            synchronized (random) {
                pause = minPauseMillis + random.nextInt(maxPauseMillis - minPauseMillis);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private int nextInt(int bound) {
        synchronized (random) {
            return random.nextInt(bound);
        }
    }

    private void pushOnce() throws Exception {
        Push push = newPush();
        send(push);
    }

    /** A new commit on main and its push payload (before = the previous pushed head). */
    Push newPush() {
        synchronized (git) {
            String before = head;
            String after = commit();
            head = after;
            Push push = new Push(after, UUID.randomUUID().toString(), GitPush.payload(repo, fullName,
                    "file://" + repo.toAbsolutePath(), "main", before, after));
            pushes.add(push);
            return push;
        }
    }

    private String commit() {
        synchronized (git) {
            commits++;
            try {
                Files.writeString(repo.resolve("main.py"), "print('trial %s commit %d')\n".formatted(name, commits));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            GitPush.git(repo, "commit", "-q", "-am", "Change " + commits);
            return GitPush.git(repo, "rev-parse", "HEAD").trim();
        }
    }

    /** Sends a push once; true when it was acknowledged (202 accepted, or 200 for a delivery stored before). */
    boolean send(Push push) throws InterruptedException {
        try {
            Api.Response r = hooks.postBytes("/webhooks/github/" + hookId, push.payload,
                    "Content-Type", "application/json",
                    "User-Agent", "GitHub-Hookshot/fault-trials",
                    "X-GitHub-Event", "push",
                    "X-GitHub-Delivery", push.deliveryId,
                    "X-GitHub-Hook-ID", "1",
                    "X-Hub-Signature-256", "sha256=" + GitPush.hmacSha256(secret, push.payload));
            push.answers.add(Integer.toString(r.status()));
            if (r.status() / 100 == 2) {
                push.acknowledged = true;
            }
        } catch (IOException e) {
            push.answers.add(e.getClass().getSimpleName());
        }
        return push.acknowledged;
    }

    /** Sends (and redelivers) a push until it is acknowledged. */
    void deliver(Push push, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!send(push)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("push " + push.commit + " of " + name + " was not acknowledged within "
                        + timeout.toSeconds() + " s; answers " + push.answers);
            }
            Thread.sleep(200);
        }
    }

    private void apiOnce() throws Exception {
        int choice = nextInt(100);
        if (paused && choice < 40) {
            resume(Duration.ZERO);
        } else if (choice < 35) {
            manual();
        } else if (choice < 60) {
            pin();
        } else if (choice < 82) {
            promote();
        } else if (!paused) {
            rollback();
        }
    }

    private void manual() throws InterruptedException {
        String sha;
        synchronized (git) {
            sha = commit();
        }
        record("manual", sha, null, () -> client.post("/v2/deployments", Map.of("procedure_id", procedureId,
                "commit_sha", sha)));
    }

    private void pin() throws Exception {
        List<JsonNode> ready = deployments(client, "production");
        if (ready.isEmpty()) {
            return;
        }
        String dep = ready.get(nextInt(ready.size())).get("id").asText();
        String note = note("pin");
        record("pin", note, dep, () -> client.post("/v2/stations/" + pinStation + "/deployments/" + dep,
                Map.of("note", note)));
    }

    private void promote() throws Exception {
        List<JsonNode> previews = deployments(client, "preview").stream()
                .filter(d -> !promoted.contains(d.get("id").asText())).toList();
        if (previews.isEmpty()) {
            return;
        }
        String source = previews.get(nextInt(previews.size())).get("id").asText();
        // Each preview is promoted at most once (answered or not), so its promoted copies can be counted.
        promoted.add(source);
        String note = note("promote");
        record("promote", note, source, () -> client.post("/v2/deployments/" + source + "/promote", Map.of("note", note)));
    }

    private void rollback() throws Exception {
        // A target must once have run on a station: take one the auto station's history moved to.
        List<String> ran = new ArrayList<>();
        for (JsonNode h : client.get("/v2/stations/" + autoStation + "/history?limit=100").expect(200).json()
                .get("data")) {
            String to = h.path("to_deployment_id").asText(null);
            if (to != null && !ran.contains(to)) {
                ran.add(to);
            }
        }
        if (ran.isEmpty()) {
            return;
        }
        String target = ran.get(nextInt(ran.size()));
        String note = note("rollback");
        Call call = record("rollback", note, target, () -> client.post("/v2/procedures/" + procedureId + "/rollback",
                Map.of("deployment_id", target, "note", note)));
        if (call.answer() != Answer.REFUSED) {
            paused = true; // or perhaps: an unanswered rollback may have paused it
        }
    }

    /**
     * Resumes the procedure; with a timeout, retries until it is answered 200 (resumed) or 409 (not paused), so
     * the probe push that follows fans out.
     */
    void resume(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String note = note("resume");
            Call call = record("resume", note, null, () -> client.post("/v2/procedures/" + procedureId + "/resume",
                    Map.of("note", note)));
            if (call.answer() == Answer.ACCEPTED || call.status() == 409) {
                paused = false;
                return;
            }
            if (System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(200);
        }
    }

    private interface Request {
        Api.Response send() throws IOException, InterruptedException;
    }

    private Call record(String kind, String key, String subject, Request request) throws InterruptedException {
        Call call;
        try {
            Api.Response r = request.send();
            boolean ok = r.status() / 100 == 2;
            String id = null;
            if (ok && (kind.equals("manual") || kind.equals("promote"))) {
                id = r.json().path("id").asText(null);
            }
            call = new Call(kind, key, subject, ok ? Answer.ACCEPTED : r.status() >= 500 ? Answer.FAILED
                    : Answer.REFUSED, r.status(), id, ok ? null : abbreviate(r.body()));
        } catch (IOException e) {
            call = new Call(kind, key, subject, Answer.FAILED, -1, null, e.toString());
        }
        calls.add(call);
        return call;
    }

    private String note(String kind) {
        return name + "-" + kind + "-" + notes.incrementAndGet();
    }

    /** Ready deployments of the procedure in one environment, newest first (the first page). */
    private List<JsonNode> deployments(Api via, String environment) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode d : via.get("/v2/deployments?procedure_id=" + procedureId + "&environment=" + environment
                + "&status=ready&limit=100").expect(200).json().get("data")) {
            out.add(d);
        }
        return out;
    }

    /** Every deployment of the procedure (all pages). */
    List<JsonNode> allDeployments() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = api.get("/v2/deployments?procedure_id=" + procedureId + "&limit=100"
                    + (cursor == null ? "" : "&cursor=" + cursor)).expect(200).json();
            page.get("data").forEach(out::add);
            cursor = page.path("next_cursor").asText(null);
        } while (cursor != null && !cursor.isEmpty() && !"null".equals(cursor));
        return out;
    }

    JsonNode deploymentOf(String commit) throws Exception {
        for (JsonNode d : api.get("/v2/deployments?procedure_id=" + procedureId + "&limit=100").expect(200).json()
                .get("data")) {
            if (commit.equals(d.at("/commit/sha").asText()) && d.path("promoted_from").isNull()) {
                return d;
            }
        }
        return null;
    }

    JsonNode pointer(String station) throws Exception {
        for (JsonNode p : api.get("/v2/stations/" + station).expect(200).json().get("pointers")) {
            if (procedureId.equals(p.path("procedure_id").asText())) {
                return p;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** A history (station or procedure), oldest first, every page. */
    List<JsonNode> history(String path) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = api.get(path + "?limit=100" + (cursor == null ? "" : "&cursor=" + cursor)).expect(200)
                    .json();
            page.get("data").forEach(out::add);
            cursor = page.path("next_cursor").asText(null);
        } while (cursor != null && !cursor.isEmpty() && !"null".equals(cursor));
        Collections.reverse(out);
        return out;
    }

    /** Unlinks the trial's stations, so the next trials' fan-outs do not carry this one along. */
    void unlink() {
        for (String station : List.of(autoStation, pinStation)) {
            try {
                api.delete("/v2/stations/" + station + "/links/" + procedureId);
            } catch (Exception ignored) {
                // best effort: the stations are the trial's own
            }
        }
    }

    private static String abbreviate(String body) {
        String s = body == null ? "" : body.replaceAll("\\s+", " ");
        return s.length() > 160 ? s.substring(0, 160) + "…" : s;
    }
}
