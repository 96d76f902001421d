package io.benchline.cli.agent;

import io.benchline.cli.Log;
import io.benchline.cli.agent.AgentMessages.Assignment;
import io.benchline.cli.agent.AgentMessages.Assignments;
import io.benchline.cli.agent.AgentMessages.PointerReport;
import io.benchline.cli.agent.AgentMessages.RunReport;
import io.benchline.cli.agent.AgentMessages.RunRequest;
import io.benchline.cli.agent.AgentState.Active;
import io.benchline.cli.agent.AgentState.InProgress;
import io.benchline.cli.agent.AgentState.Reported;
import io.benchline.cli.agent.ArtifactVerifier.VerificationException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The station agent. One poll thread fetches assignments and run requests, downloads, verifies and unpacks
 * artifacts, activates deployments in the idle window, reports pointers and delivers run reports. Each run
 * executes on its own thread. All mutable state is guarded by {@code lock}; HTTP happens outside it.
 *
 * <p>Rules: the active deployment of a procedure changes only while no run of that procedure is in progress, once
 * the procedure has been idle for its idle window, or, staged past its max deferral, as soon as the run in flight
 * ended (draining: no new run of it starts before the switch); one staged slot per procedure (a newer deployment
 * replaces the staged one);
 * a run reports the deployment it started on; one run per procedure at a time (further run requests wait);
 * run reports are queued in the state file and delivered in order, so a dispatcher outage loses none; a
 * procedure that a successful answer no longer assigns is dropped once its run in progress ended (a failed fetch
 * drops nothing).
 */
public final class Agent {
    private static final long MAX_ARTIFACT_BYTES = 4L * 1024 * 1024 * 1024;
    /** An unknown key makes the agent fetch the keys at most this often. */
    private static final Duration MIN_KEYS_FETCH_INTERVAL = Duration.ofSeconds(1);

    private final AgentConfig config;
    private final AgentApi api;
    private final ArtifactVerifier verifier;
    private final TrustedKeys keys;
    /** When the keys are fetched next (periodic refresh); the dispatcher may not serve them (old version). */
    private Instant nextKeysFetch = Instant.EPOCH;
    private Instant lastKeysFetch = Instant.EPOCH;
    private volatile boolean keysUnsupported;
    /** The station's organization, as the dispatcher names it; signatures are checked for it. */
    private volatile String organizationId;
    private final Unpacker unpacker = new Unpacker();
    private final Preflight preflight;
    /** State changes of deployments to tell the dispatcher, oldest first; sent by the poll cycle, best effort. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Map.Entry<String, AgentMessages.PointerState>> states =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final RunExecutor executor;
    private final AgentState state;
    private final Path proceduresDir;
    private final Path downloadsDir;

    private final Object lock = new Object();
    private final ReentrantLock sending = new ReentrantLock();
    /** Unpacked, verified, assigned but not active yet: procedure id → assignment. */
    private final Map<String, Assignment> pending = new HashMap<>();
    /** Since when each procedure has had a deployment staged (kept when a newer one replaces it). */
    private final Map<String, Instant> stagedSince = new HashMap<>();
    /** Procedures draining: staged past their max deferral, no new run until the one in flight ended. */
    private final Set<String> draining = new HashSet<>();
    /** When the last run of each procedure ended (its idle window starts there). */
    private final Map<String, Instant> lastRunEnded = new HashMap<>();
    /** Runs in progress: procedure id → run id. */
    private final Map<String, String> running = new HashMap<>();
    /** Artifacts that failed (deployment id → when to try again, and how often it failed). */
    private final Map<String, Refusal> refused = new java.util.concurrent.ConcurrentHashMap<>();
    /** The key that last verified a deployment (for the log line when it becomes pending). */
    private final Map<String, String> lastVerifiedKey = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> waitingNoticed = new HashSet<>();
    /**
     * Procedures the agent holds that the last successful assignments answer no longer names (the station was
     * unlinked from them). Each is dropped as soon as no run of it is in progress; its pointer is not reported.
     */
    private final Set<String> unassigned = new HashSet<>();
    /** Entry points the dispatcher named for deployments (a fallback when manifest.json has none). */
    private final Map<String, String> entryPointHints = new HashMap<>();
    private final Map<String, String> lastErrors = new LinkedHashMap<>();

    private final ExecutorService runThreads;
    private final LinkedBlockingQueue<Boolean> wakeups = new LinkedBlockingQueue<>();
    /** The newest assignments the push channel delivered and the cycle has not taken yet. */
    private final AtomicReference<Assignments> pushed = new AtomicReference<>();
    /**
     * Whether the push channel works: TRUE, the cycle uses what it delivers instead of polling; FALSE, the cycle
     * polls; null until its first answer (which comes at once), so the cycle neither polls nor waits for it.
     */
    private volatile Boolean pushing;
    /** What the last cycle acted on; run requests that wait are looked at again from here. */
    private Assignments current;
    private Thread watcher;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    private record Refusal(Instant retryAt, int failures, String reason) {
    }

    /** Why the agent last refused (or could not fetch) a deployment; empty when it did not. */
    public Optional<String> refusalReason(String deploymentId) {
        Refusal refusal = refused.get(deploymentId);
        return refusal == null ? Optional.empty() : Optional.of(refusal.reason());
    }

    public Agent(AgentConfig config) throws IOException {
        this(config, new AgentApi(config.url(), config.token()),
                config.trustedKeys() == null ? TrustedKeys.none() : TrustedKeys.file(config.trustedKeys()));
    }

    public Agent(AgentConfig config, AgentApi api, TrustedKeys keys) throws IOException {
        this.config = config;
        this.api = api;
        this.keys = keys;
        this.verifier = new ArtifactVerifier(keys);
        Path work = config.workDir().toAbsolutePath();
        Files.createDirectories(work);
        this.proceduresDir = work.resolve("procedures");
        this.downloadsDir = work.resolve("downloads");
        Files.createDirectories(proceduresDir);
        Files.createDirectories(downloadsDir);
        this.executor = new RunExecutor(config.python(), work.resolve("runs"), config.runnerCommand());
        this.preflight = new Preflight(config.python(), work.resolve("installs"));
        this.state = AgentState.load(work.resolve("state.json"));
        AtomicInteger threads = new AtomicInteger();
        this.runThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "run-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        recover();
    }

    /** Polls until {@link #stop()}; then ends runs, delivers what it can and saves the state. */
    public void run() {
        Log.info("agent started: %s, work dir %s, poll every %s, push channel %s, python %s", config.url(),
                config.workDir().toAbsolutePath(), config.pollInterval(),
                config.longPollWait().isZero() ? "off" : "held up to " + config.longPollWait(), config.python());
        pushing = config.longPollWait().isZero() ? Boolean.FALSE : null;
        if (!config.longPollWait().isZero()) {
            watcher = new Thread(this::watch, "agent-push-channel");
            watcher.setDaemon(true);
            watcher.start();
        }
        try {
            while (!stopping) {
                try {
                    pollOnce();
                } catch (RuntimeException e) {
                    Log.error("poll failed unexpectedly (will retry): %s", e);
                }
                try {
                    wakeups.poll(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    wakeups.clear();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                }
            }
        } finally {
            shutDown();
            stopped.countDown();
        }
    }

    /** Asks {@link #run()} to end (from a shutdown hook or a test). */
    public void stop() {
        stopping = true;
        wakeups.offer(Boolean.TRUE);
        Thread w = watcher;
        if (w != null) {
            w.interrupt();
        }
    }

    /**
     * The push channel: a held request that returns when the station's assignments change (or, unchanged, after
     * {@code longPollWait}: one request per wait while idle). On an error the cycle falls back to polling until
     * the channel answers again; a dispatcher without the channel (no ETag) turns it off for good.
     */
    private void watch() {
        String etag = null;
        while (!stopping) {
            try {
                AgentApi.Watched answer = api.watch(etag, config.longPollWait());
                clearError("push");
                if (answer.assignments() != null && answer.etag() == null) {
                    Log.warn("the dispatcher has no push channel; polling every %s", config.pollInterval());
                    pushing = Boolean.FALSE;
                    wakeups.offer(Boolean.TRUE);
                    return;
                }
                etag = answer.etag();
                if (answer.assignments() != null) {
                    pushed.set(answer.assignments());
                    wakeups.offer(Boolean.TRUE);
                }
                // Back after an outage with nothing new (304): what the cycle polled meanwhile is still current.
                pushing = Boolean.TRUE;
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                pushing = Boolean.FALSE;
                wakeups.offer(Boolean.TRUE);
                logError("push", "push channel lost (polling until it is back): " + Log.describe(e));
                try {
                    Thread.sleep(config.pollInterval().toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One cycle: fetch, download/verify/unpack, activate when idle, report pointers, start runs, deliver reports. */
    void pollOnce() {
        if (!config.keysRefresh().isZero() && !keysUnsupported && !Instant.now().isBefore(nextKeysFetch)) {
            fetchKeys("periodic refresh");
        }
        Assignments assignments = null;
        Assignments fresh = pushed.getAndSet(null);
        if (fresh != null) {
            current = fresh;
            assignments = fresh;
        } else if (!Boolean.FALSE.equals(pushing)) {
            assignments = current;
        } else {
            try {
                assignments = api.assignments();
                current = assignments;
                clearError("poll");
            } catch (IOException e) {
                logError("poll", "cannot fetch assignments (retrying next poll): " + Log.describe(e));
            }
        }
        if (assignments != null && assignments.organizationId() != null) {
            organizationId = assignments.organizationId();
        }
        if (assignments != null) {
            dropUnassigned(assignments);
            for (Assignment assignment : assignments.assignments()) {
                if (stopping) {
                    return;
                }
                prepare(assignment);
            }
        }
        synchronized (lock) {
            for (String procedureId : List.copyOf(pending.keySet())) {
                activateIfIdle(procedureId);
            }
        }
        reportPointers();
        reportStates();
        if (assignments != null) {
            for (RunRequest request : assignments.runRequests()) {
                startRun(request);
            }
        }
        deliverReports();
        prune(assignments);
    }

    // ---- assignments

    private void prepare(Assignment a) {
        if (a.procedureId() == null || a.deploymentId() == null || !safeId(a.procedureId())
                || !safeId(a.deploymentId())) {
            logError("assignment", "ignoring an assignment with a missing or malformed id: " + a);
            return;
        }
        synchronized (lock) {
            Active active = state.active(a.procedureId());
            if (active != null && active.deploymentId().equals(a.deploymentId())) {
                unstage(a.procedureId());
                if (a.pointerVersion() > active.pointerVersion()) {
                    state.activate(a.procedureId(), a.deploymentId(), a.pointerVersion());
                    save();
                }
                return;
            }
        }
        Path procedureDir = proceduresDir.resolve(a.procedureId());
        boolean unpacked = Files.isDirectory(procedureDir.resolve(a.deploymentId()));
        synchronized (lock) {
            Assignment waiting = pending.get(a.procedureId());
            if (unpacked && waiting != null && waiting.deploymentId().equals(a.deploymentId())) {
                pending.put(a.procedureId(), a); // verified when it became pending; the settings may be newer
                return;
            }
        }
        Refusal refusal = refused.get(a.deploymentId());
        if (refusal != null && Instant.now().isBefore(refusal.retryAt())) {
            return;
        }
        TrustedKeys.Key verifiedWith;
        try {
            // An artifact unpacked earlier (a rollback to it) is verified again: its key may have been dropped.
            if (!unpacked) {
                tell(a, "downloading", null);
            }
            verifiedWith = unpacked ? checkSignature(a) : fetch(a, procedureDir);
            Path deploymentDir = procedureDir.resolve(a.deploymentId());
            if (Preflight.needed(deploymentDir)) {
                tell(a, "installing", null);
                Log.info("deployment %s of procedure %s: preparing its environment", a.deploymentId(),
                        a.procedureId());
                Log.info("deployment %s: %s", a.deploymentId(), preflight.prepare(a.deploymentId(), deploymentDir));
            }
            refused.remove(a.deploymentId());
            lastVerifiedKey.put(a.deploymentId(), verifiedWith.id() + (verifiedWith.status() == null ? ""
                    : ", " + verifiedWith.status()));
        } catch (VerificationException | IOException | Preflight.InstallFailure e) {
            int failures = refusal == null ? 1 : refusal.failures() + 1;
            Duration wait = config.refusedRetry().multipliedBy(1L << Math.min(failures - 1, 5));
            String kind = e instanceof VerificationException ? "REFUSED"
                    : e instanceof Preflight.InstallFailure ? "cannot install" : "cannot fetch";
            refused.put(a.deploymentId(), new Refusal(Instant.now().plus(wait), failures, kind + ": "
                    + Log.describe(e)));
            tell(a, "failed", kind + ": " + Log.describe(e));
            Log.error("%s deployment %s of procedure %s (artifact %s, key %s): %s; not activated, retrying in %s",
                    kind, a.deploymentId(), a.procedureId(), a.artifact() == null ? null : a.artifact().digest(),
                    a.artifact() == null ? null : a.artifact().keyId(), Log.describe(e), wait);
            return;
        }
        synchronized (lock) {
            if (a.entryPoint() != null) {
                entryPointHints.put(a.deploymentId(), a.entryPoint());
            }
            Assignment before = pending.put(a.procedureId(), a);
            stagedSince.putIfAbsent(a.procedureId(), Instant.now());
            if (before == null || !before.deploymentId().equals(a.deploymentId())) {
                tell(a, "staged", null);
                Log.info("deployment %s of procedure %s is unpacked and verified (signed by key %s)%s", a.deploymentId(),
                        a.procedureId(), lastVerifiedKey.get(a.deploymentId()),
                        running.containsKey(a.procedureId()) ? "; it becomes active when the current run ends" : "");
            }
        }
    }

    /**
     * The signature for this station's organization and the assignment's procedure. A key the agent does not know
     * yet (a rotation since the last fetch) makes it fetch the keys once more and check again.
     */
    private TrustedKeys.Key checkSignature(Assignment a) throws VerificationException {
        String org = organizationId != null ? organizationId : keys.fetchedOrganization();
        try {
            return verifier.verifySignature(a.artifact(), org, a.procedureId());
        } catch (ArtifactVerifier.UnknownKeyException unknown) {
            if (config.keysRefresh().isZero() || keysUnsupported
                    || Instant.now().isBefore(lastKeysFetch.plus(MIN_KEYS_FETCH_INTERVAL))) {
                throw unknown;
            }
            fetchKeys("deployment " + a.deploymentId() + " names unknown key "
                    + (a.artifact() == null ? null : a.artifact().keyId()));
            org = organizationId != null ? organizationId : keys.fetchedOrganization();
            return verifier.verifySignature(a.artifact(), org, a.procedureId());
        }
    }

    /** {@code GET /agent/v1/keys} with the last ETag; a failure keeps the keys the agent has. */
    private void fetchKeys(String why) {
        Instant now = Instant.now();
        lastKeysFetch = now;
        nextKeysFetch = now.plus(config.keysRefresh().isZero() ? Duration.ofDays(365) : config.keysRefresh());
        try {
            AgentApi.FetchedKeys answer = api.keys(keys.etag());
            if (answer.keys() == null) {
                keys.unchanged();
                Log.debug("trusted keys unchanged (%s)", why);
            } else {
                Log.info("fetched the trusted keys (%s)", why);
                keys.replaceFetched(answer.keys(), answer.etag());
                if (organizationId == null && answer.keys().organizationId() != null) {
                    organizationId = answer.keys().organizationId();
                }
            }
            clearError("keys");
        } catch (ApiException e) {
            if (e.status() == 404) {
                keysUnsupported = true;
                Log.warn("the dispatcher serves no signing keys (GET /agent/v1/keys 404); trusting the"
                        + " --trusted-keys file only");
            } else {
                logError("keys", "cannot fetch the trusted keys (keeping " + keys.size() + "): " + Log.describe(e));
            }
        } catch (IOException e) {
            logError("keys", "cannot fetch the trusted keys (keeping " + keys.size() + "): " + Log.describe(e));
        }
    }

    /** Signature first (no download for an untrusted artifact), then download, size and digest, then unpack. */
    private TrustedKeys.Key fetch(Assignment a, Path procedureDir) throws VerificationException, IOException {
        TrustedKeys.Key key = checkSignature(a);
        if (a.downloadUrl() == null || a.downloadUrl().isBlank()) {
            throw new IOException("the assignment has no download_url yet");
        }
        long max = a.artifact().sizeBytes() > 0 ? a.artifact().sizeBytes() : MAX_ARTIFACT_BYTES;
        Path zip = downloadsDir.resolve(a.deploymentId() + ".zip");
        try {
            Log.info("downloading deployment %s of procedure %s (%s, %d bytes)", a.deploymentId(), a.procedureId(),
                    a.artifact().digest(), a.artifact().sizeBytes());
            api.download(a.downloadUrl(), zip, max);
            verifier.verifyContent(zip, a.artifact());
            unpacker.unpack(zip, procedureDir, a.deploymentId());
        } finally {
            Files.deleteIfExists(zip);
        }
        return key;
    }

    private void tell(Assignment a, String state, String reason) {
        states.add(Map.entry(a.procedureId(), new AgentMessages.PointerState(a.deploymentId(), state,
                oneLine(reason))));
    }

    /** The dispatcher takes no control characters in text: an installer's output as one line, within its limit. */
    static String oneLine(String text) {
        if (text == null) {
            return null;
        }
        String line = text.replaceAll("\\R+", " | ").replaceAll("\\p{Cntrl}", " ").strip();
        return line.length() > MAX_REASON ? line.substring(0, MAX_REASON - 1) + "…" : line;
    }

    static final int MAX_REASON = 2_000;

    /** Tells the dispatcher the queued state changes; one that cannot be sent now is dropped (the next one tells). */
    private void reportStates() {
        for (Map.Entry<String, AgentMessages.PointerState> next; (next = states.poll()) != null; ) {
            try {
                api.reportPointerState(next.getKey(), next.getValue());
            } catch (IOException e) {
                Log.debug("cannot report %s of deployment %s: %s", next.getValue().state(),
                        next.getValue().deploymentId(), Log.describe(e));
            }
        }
    }

    /**
     * Activates the staged deployment of a procedure when no run of it is in progress and either the procedure has
     * been idle for its idle window (no run ended within it), or it has been staged longer than its max deferral.
     * Past the max deferral with a run in flight, the procedure drains: that is reported, and the switch happens as
     * soon as the run ends, before any new run. The poll cycle calls this for every staged procedure, so an idle
     * window that ends is noticed within a poll interval. Call with the lock.
     */
    private void activateIfIdle(String procedureId) {
        Assignment next = pending.get(procedureId);
        if (next == null) {
            return;
        }
        Instant now = Instant.now();
        Instant since = stagedSince.getOrDefault(procedureId, now);
        boolean overdue = !now.isBefore(since.plus(next.maxDeferral()));
        String run = running.get(procedureId);
        if (run != null) {
            if (overdue && draining.add(procedureId)) {
                String why = "staged since " + since + ", longer than the procedure's max deferral of "
                        + next.maxDeferral().toSeconds() + " s: run " + run + " finishes, then the station switches"
                        + " before starting another";
                states.add(Map.entry(procedureId, new AgentMessages.PointerState(next.deploymentId(), "draining",
                        why)));
                Log.info("procedure %s drains: deployment %s %s", procedureId, next.deploymentId(), why);
            }
            return;
        }
        Instant ended = lastRunEnded.get(procedureId);
        boolean busy = ended != null && now.isBefore(ended.plus(next.idleWindow()));
        if (busy && !overdue) {
            return; // a run ended within the idle window: the next one may come at once
        }
        if (busy && draining.add(procedureId)) {
            // Past the max deferral between two runs: the drain is over at once, and still shown.
            String why = "staged since " + since + ", longer than the procedure's max deferral of "
                    + next.maxDeferral().toSeconds() + " s: the station switches now, before its next run";
            states.add(Map.entry(procedureId, new AgentMessages.PointerState(next.deploymentId(), "draining", why)));
            Log.info("procedure %s drains: deployment %s %s", procedureId, next.deploymentId(), why);
        }
        boolean drained = draining.contains(procedureId);
        unstage(procedureId);
        Active before = state.active(procedureId);
        state.activate(procedureId, next.deploymentId(), next.pointerVersion());
        save();
        states.add(Map.entry(procedureId, new AgentMessages.PointerState(next.deploymentId(), "active", null)));
        Log.info("procedure %s: deployment %s is active now (pointer version %d, was %s%s)", procedureId,
                next.deploymentId(), next.pointerVersion(), before == null ? "none" : before.deploymentId(),
                drained ? ", after draining" : overdue ? ", staged past its max deferral" : "");
    }

    /** Forgets the staged deployment of a procedure, its staged-since time and drain. Call with the lock. */
    private void unstage(String procedureId) {
        pending.remove(procedureId);
        stagedSince.remove(procedureId);
        draining.remove(procedureId);
    }

    /**
     * Only a successful answer gets here, so a fetch that failed never drops anything. A procedure the agent holds
     * (active, pending or running) that the answer does not assign was unlinked: its pending deployment is
     * forgotten at once (it must not become active), and it is dropped now or when its run in progress ends.
     */
    private void dropUnassigned(Assignments assignments) {
        Set<String> assigned = assignedProcedures(assignments);
        synchronized (lock) {
            for (String procedureId : List.copyOf(unassigned)) {
                if (assigned.contains(procedureId)) {
                    unassigned.remove(procedureId);
                    Log.info("procedure %s is assigned to this station again", procedureId);
                }
            }
            Set<String> held = new HashSet<>(state.allActive().keySet());
            held.addAll(pending.keySet());
            held.addAll(running.keySet());
            for (String procedureId : held) {
                if (!assigned.contains(procedureId) && unassigned.add(procedureId)) {
                    unstage(procedureId);
                    String run = running.get(procedureId);
                    Log.info("procedure %s is no longer assigned to this station (unlinked)%s", procedureId,
                            run == null ? "" : "; it is dropped when run " + run + " ends");
                }
            }
            for (String procedureId : List.copyOf(unassigned)) {
                dropIfIdle(procedureId);
            }
        }
    }

    private static Set<String> assignedProcedures(Assignments assignments) {
        Set<String> assigned = new HashSet<>();
        for (Assignment a : assignments.assignments()) {
            if (a.procedureId() != null) {
                assigned.add(a.procedureId());
            }
        }
        return assigned;
    }

    /** Drops an unassigned procedure from the state unless a run of it is in progress. Call with the lock. */
    private void dropIfIdle(String procedureId) {
        if (running.containsKey(procedureId)) {
            return;
        }
        unassigned.remove(procedureId);
        unstage(procedureId);
        lastRunEnded.remove(procedureId);
        Active before = state.deactivate(procedureId);
        save();
        Log.info("procedure %s dropped: unlinked from this station%s", procedureId,
                before == null ? "" : ", deployment " + before.deploymentId() + " is no longer active");
    }

    /** A run of the procedure ended: drop it if it was unlinked meanwhile, else activate what is pending. */
    private void afterRun(String procedureId) {
        if (unassigned.contains(procedureId)) {
            dropIfIdle(procedureId);
        } else {
            activateIfIdle(procedureId);
        }
    }

    private void reportPointers() {
        Map<String, Active> active;
        synchronized (lock) {
            active = state.allActive();
        }
        for (Map.Entry<String, Active> e : active.entrySet()) {
            String procedureId = e.getKey();
            Reported now = new Reported(e.getValue().deploymentId(), e.getValue().pointerVersion());
            synchronized (lock) {
                if (unassigned.contains(procedureId) || now.equals(state.reported(procedureId))) {
                    continue;
                }
            }
            try {
                api.reportPointer(procedureId, new PointerReport(now.deploymentId(), now.pointerVersion()));
                Log.info("reported pointer: procedure %s runs deployment %s (pointer version %d)", procedureId,
                        now.deploymentId(), now.pointerVersion());
                clearError("pointer " + procedureId);
            } catch (ApiException ex) {
                if (!ex.permanent()) {
                    logError("pointer " + procedureId, "cannot report pointer (retrying): " + Log.describe(ex));
                    continue;
                }
                Log.error("pointer report for procedure %s refused for good: %s", procedureId, Log.describe(ex));
            } catch (IOException ex) {
                logError("pointer " + procedureId, "cannot report pointer (retrying): " + Log.describe(ex));
                continue;
            }
            synchronized (lock) {
                // Dropped meanwhile (unlinked): nothing to remember for it.
                if (state.active(procedureId) != null) {
                    state.reported(procedureId, now);
                    save();
                }
            }
        }
    }

    // ---- runs

    private void startRun(RunRequest request) {
        if (request.id() == null || request.procedureId() == null || !safeId(request.procedureId())) {
            return;
        }
        InProgress run;
        Path deploymentDir;
        String entryPointHint;
        synchronized (lock) {
            if (stopping || state.handled(request.id()) || running.containsKey(request.procedureId())) {
                return;
            }
            activateIfIdle(request.procedureId());
            Active active = state.active(request.procedureId());
            if (active == null) {
                if (waitingNoticed.add(request.id())) {
                    Log.warn("run request %s waits: procedure %s has no active deployment yet", request.id(),
                            request.procedureId());
                }
                return;
            }
            waitingNoticed.remove(request.id());
            run = new InProgress(RunIds.next(), request.procedureId(), active.deploymentId(),
                    Instant.now().toString(), request.id(), request.serialNumber());
            deploymentDir = proceduresDir.resolve(run.procedureId()).resolve(run.deploymentId());
            entryPointHint = entryPointHints.get(run.deploymentId());
            running.put(run.procedureId(), run.runId());
            state.markHandled(request.id());
            state.started(run);
            state.queue(new RunReport(run.runId(), run.procedureId(), run.deploymentId(), RunReport.STARTED, null,
                    run.startedAt(), null, run.runRequestId(), run.serialNumber(), null));
            // The run goes ahead even if the state file cannot be written now: the next save catches up.
            saveQuietly();
        }
        Log.info("run %s of procedure %s started on deployment %s (run request %s)", run.runId(), run.procedureId(),
                run.deploymentId(), run.runRequestId());
        runThreads.submit(() -> execute(run, deploymentDir, entryPointHint));
    }

    private void execute(InProgress run, Path deploymentDir, String entryPointHint) {
        try {
            deliverReports();
            RunExecutor.Result result = executor.execute(run.runId(), run.procedureId(), run.deploymentId(),
                    deploymentDir, entryPointHint, run.serialNumber());
            Log.info("run %s of procedure %s on deployment %s finished: %s (exit %s, %d ms)", run.runId(),
                    run.procedureId(), run.deploymentId(), result.outcome(), result.exitCode(), result.durationMs());
            synchronized (lock) {
                state.queue(new RunReport(run.runId(), run.procedureId(), run.deploymentId(), RunReport.FINISHED,
                        result.outcome(), Instant.now().toString(), result.durationMs(), run.runRequestId(),
                        result.serialNumber(), result.phases()));
                state.ended(run.runId());
                running.remove(run.procedureId());
                lastRunEnded.put(run.procedureId(), Instant.now());
                afterRun(run.procedureId());
                save();
            }
            deliverReports();
        } catch (RuntimeException e) {
            Log.error("run %s failed unexpectedly: %s", run.runId(), e);
            synchronized (lock) {
                if (state.isRunning(run.runId())) {
                    state.queue(new RunReport(run.runId(), run.procedureId(), run.deploymentId(), RunReport.FINISHED,
                            "error", Instant.now().toString(), null, run.runRequestId()));
                    state.ended(run.runId());
                }
                running.remove(run.procedureId());
                lastRunEnded.put(run.procedureId(), Instant.now());
                afterRun(run.procedureId());
                saveQuietly();
            }
        } finally {
            wakeups.offer(Boolean.TRUE);
        }
    }

    /** Sends queued run reports in order; stops at the first one that fails for a reason worth retrying. */
    private void deliverReports() {
        sending.lock();
        try {
            while (true) {
                RunReport next;
                synchronized (lock) {
                    next = state.nextReport();
                }
                if (next == null) {
                    return;
                }
                try {
                    api.reportRun(next);
                    clearError("runs");
                } catch (ApiException e) {
                    if (!e.permanent()) {
                        logError("runs", "cannot report run " + next.runId() + " " + next.phase()
                                + " (retrying): " + Log.describe(e));
                        return;
                    }
                    Log.error("run report %s %s refused for good, dropped: %s", next.runId(), next.phase(),
                            Log.describe(e));
                } catch (IOException e) {
                    logError("runs", "cannot report run " + next.runId() + " " + next.phase() + " (retrying): "
                            + Log.describe(e));
                    return;
                }
                synchronized (lock) {
                    state.removeReport(next);
                    save();
                }
            }
        } finally {
            sending.unlock();
        }
    }

    // ---- start and stop

    /** After a restart: runs that were in progress did not finish; they are reported as error. */
    private void recover() throws IOException {
        for (InProgress run : state.runsInProgress()) {
            Log.warn("run %s of procedure %s (deployment %s) was interrupted by an agent restart; reporting error",
                    run.runId(), run.procedureId(), run.deploymentId());
            state.queue(new RunReport(run.runId(), run.procedureId(), run.deploymentId(), RunReport.FINISHED,
                    RunExecutor.ERROR, Instant.now().toString(), null, run.runRequestId()));
            state.ended(run.runId());
        }
        try (DirectoryStream<Path> procedures = Files.newDirectoryStream(proceduresDir)) {
            for (Path procedure : procedures) {
                try (DirectoryStream<Path> temps = Files.newDirectoryStream(procedure, Unpacker.TEMP_PREFIX + "*")) {
                    for (Path temp : temps) {
                        Unpacker.deleteRecursively(temp);
                    }
                }
            }
        }
        state.save();
    }

    private void shutDown() {
        Log.info("agent stopping");
        executor.stopAll(Duration.ofSeconds(5));
        runThreads.shutdown();
        try {
            if (!runThreads.awaitTermination(10, TimeUnit.SECONDS)) {
                Log.warn("runs did not end in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deliverReports();
        synchronized (lock) {
            save();
            if (state.pendingReports() > 0) {
                Log.warn("%d run report(s) not delivered yet; they are sent after the next start",
                        state.pendingReports());
            }
        }
        Log.info("agent stopped");
    }

    /**
     * Removes deployment folders that are neither active, the previous one, nor pending, and, given a successful
     * assignments answer, the folders of procedures the agent no longer holds nor is assigned (dropped after an
     * unlink, also by an agent that stopped before it could remove them). Runs on the poll thread, the only one
     * that downloads and unpacks, and skips every procedure with a run in progress.
     */
    private void prune(Assignments assignments) {
        Map<String, Set<String>> keep = new HashMap<>();
        synchronized (lock) {
            state.allActive().forEach((procedureId, active) -> {
                Set<String> ids = keep.computeIfAbsent(procedureId, k -> new HashSet<>());
                ids.add(active.deploymentId());
                if (active.previousDeploymentId() != null) {
                    ids.add(active.previousDeploymentId());
                }
            });
            pending.forEach((procedureId, a) -> keep.computeIfAbsent(procedureId, k -> new HashSet<>())
                    .add(a.deploymentId()));
        }
        keep.forEach((procedureId, ids) -> {
            Path dir = proceduresDir.resolve(procedureId);
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (DirectoryStream<Path> deployments = Files.newDirectoryStream(dir)) {
                for (Path deployment : deployments) {
                    String name = deployment.getFileName().toString();
                    if (!name.startsWith(".") && !ids.contains(name) && Files.isDirectory(deployment)) {
                        Log.info("removing old deployment %s of procedure %s", name, procedureId);
                        Unpacker.deleteRecursively(deployment);
                    }
                }
            } catch (IOException e) {
                Log.warn("cannot prune %s: %s", dir, Log.describe(e));
            }
        });
        if (assignments != null) {
            removeDroppedProcedures(assignedProcedures(assignments));
        }
    }

    private void removeDroppedProcedures(Set<String> assigned) {
        Set<String> held;
        synchronized (lock) {
            held = new HashSet<>(state.allActive().keySet());
            held.addAll(pending.keySet());
            held.addAll(running.keySet());
            held.addAll(unassigned);
        }
        try (DirectoryStream<Path> procedures = Files.newDirectoryStream(proceduresDir)) {
            for (Path procedure : procedures) {
                String name = procedure.getFileName().toString();
                if (!name.startsWith(".") && Files.isDirectory(procedure) && !held.contains(name)
                        && !assigned.contains(name)) {
                    Log.info("removing the deployments of procedure %s (no longer assigned to this station)", name);
                    try {
                        Unpacker.deleteRecursively(procedure);
                    } catch (IOException e) {
                        Log.warn("cannot remove %s (retrying next poll): %s", procedure, Log.describe(e));
                    }
                }
            }
        } catch (IOException e) {
            Log.warn("cannot list %s: %s", proceduresDir, Log.describe(e));
        }
    }

    // ---- helpers

    /** Ids become folder names: letters, digits, underscore and dash only. */
    private static boolean safeId(String id) {
        return id.matches("^[A-Za-z0-9_-]{1,100}$");
    }

    private void saveQuietly() {
        try {
            save();
        } catch (UncheckedIOException e) {
            logError("state", e.getMessage() + ": " + e.getCause());
        }
    }

    private void save() {
        try {
            state.save();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the agent state", e);
        }
    }

    /** Logs an error once per distinct message and topic, so a long outage does not flood the log. */
    private void logError(String topic, String message) {
        synchronized (lastErrors) {
            if (message.equals(lastErrors.put(topic, message))) {
                Log.debug("%s", message);
                return;
            }
        }
        Log.error("%s", message);
    }

    private void clearError(String topic) {
        synchronized (lastErrors) {
            if (lastErrors.remove(topic) != null) {
                Log.info("%s: recovered", topic);
            }
        }
    }

    /** For tests and diagnostics: the active deployment of a procedure, or null. */
    public String activeDeployment(String procedureId) {
        synchronized (lock) {
            Active active = state.active(procedureId);
            return active == null ? null : active.deploymentId();
        }
    }
}
