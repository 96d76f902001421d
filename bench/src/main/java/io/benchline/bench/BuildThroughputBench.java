package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.Topics;
import io.benchline.stack.GitPush;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Builds per second with 1, 2 and 4 build-worker instances on the same queue: each count gets a stack of its own (on
 * the bench's ports, after the main stack stopped), a warm-up, then {@code --builds} manual deployments of distinct
 * commits requested at once; the figure is their number over the time from the first request to the last final
 * event. Topics have {@link #PARTITIONS} partitions, so that every one of 4 workers can own one.
 */
final class BuildThroughputBench {
    static final int PARTITIONS = 4;
    private static final String FULL_NAME = "benchline-bench/builds";

    private BuildThroughputBench() {
    }

    static void run(BenchOptions o, Report report) throws Exception {
        String section = "7. build throughput (" + o.builds + " manual deployments at once; N build-worker instances,"
                + " " + PARTITIONS + " partitions)";
        Path root = io.benchline.stack.StackLayout.detect().root().resolve("bench/target");
        Path repo = root.resolve("bench-builds-repo");
        List<String> shas = createRepository(repo, o.builds + warmUp(maxWorkers(o)));
        double single = Double.NaN;
        for (int workers : o.buildWorkers) {
            BenchMain.progress("builds: a stack with " + workers + " build-worker instance" + (workers == 1 ? "" : "s"));
            try (BenchStack stack = BenchStack.start(o, root.resolve("bench-builds-stack"), PARTITIONS,
                    Map.of("build-worker", workers))) {
                Result r = measure(stack, repo, shas, workers, o.builds);
                if (workers == 1) {
                    single = r.perSecond();
                    report.row(section, "1 build-worker", perSecond(r.perSecond()), "-", Double.NaN, "-");
                } else {
                    double expected = workers * single;
                    report.row(section, workers + " build-workers", perSecond(r.perSecond()), String.format(Locale.ROOT, "%d × 1 worker = %.1f/s", workers, expected),
                            r.perSecond() / expected, "≥ 0.8");
                }
                report.note("7: " + workers + " worker" + (workers == 1 ? "" : "s") + ": " + r.cpu());
                if (r.failed() > 0) {
                    report.note("7: " + r.failed() + " of " + o.builds + " builds failed with " + workers + " workers");
                }
            }
        }
        report.note("7: ratio = builds/s with N workers over N times the rate of one; the CPU line says how busy the"
                + " machine's cores were (the limit once they are all busy).");
    }

    private static String perSecond(double builds) {
        return String.format(Locale.ROOT, "%.1f builds/s", builds);
    }

    /** Builds before the measured ones: at least 40 (C2 compiles the hot paths), and 4 per worker. */
    private static int warmUp(int workers) {
        return Math.max(40, 4 * workers);
    }

    private static int maxWorkers(BenchOptions o) {
        return o.buildWorkers.stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    record Result(double perSecond, int failed, String cpu) {
    }

    private static Result measure(BenchStack stack, Path repo, List<String> shas, int workers, int builds)
            throws Exception {
        JsonNode p = stack.api("POST", "/v2/procedures", Map.of("name", "bench-builds",
                "repository", Map.of("provider", "github", "clone_url", "file://" + repo.toAbsolutePath(),
                        "full_name", FULL_NAME),
                "production_branch", "main", "auto_push", false));
        String procedureId = p.path("id").asText();
        Map<String, String> finals = new ConcurrentHashMap<>();
        Map<String, Long> finishedAt = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread consumer = new Thread(() -> FinalDeploymentEvents.follow(stack, stop, (e, at) -> {
            finishedAt.putIfAbsent(e.deploymentId(), at);
            finals.putIfAbsent(e.deploymentId(), e.change());
        }), "bench-build-events");
        consumer.setDaemon(true);
        consumer.start();
        try {
            Thread.sleep(1500); // the consumer is assigned and at the end of the topic
            // Warm-up: every worker has its partitions, and the stack's hot code is compiled.
            List<String> warm = request(stack, procedureId, shas.subList(0, warmUp(workers)));
            awaitFinal(finals, warm, Duration.ofMinutes(3));
            List<String> measured = shas.subList(warmUp(workers), warmUp(workers) + builds);
            CpuTimes.Snapshot before = CpuTimes.take(stack);
            long t0 = System.nanoTime();
            List<String> ids = request(stack, procedureId, measured);
            awaitFinal(finals, ids, Duration.ofMinutes(5));
            CpuTimes.Snapshot after = CpuTimes.take(stack);
            long last = ids.stream().mapToLong(finishedAt::get).max().orElse(t0);
            int failed = (int) ids.stream().filter(id -> !DeploymentEvent.READY.equals(finals.get(id))).count();
            return new Result(builds / ((last - t0) / 1e9), failed,
                    CpuTimes.perRequest(before, after, builds).replace("per answered request", "per build"));
        } finally {
            stop.set(true);
            consumer.join(5_000);
        }
    }

    /** Manual deployments of the commits, sent by 4 threads; their ids. */
    private static List<String> request(BenchStack stack, String procedureId, List<String> shas) throws Exception {
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int first = t;
            Thread thread = new Thread(() -> {
                for (int i = first; i < shas.size(); i += 4) {
                    try {
                        ids.add(stack.api("POST", "/v2/deployments", Map.of("procedure_id", procedureId,
                                "commit_sha", shas.get(i))).path("id").asText());
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return ids;
    }

    private static void awaitFinal(Map<String, String> finals, List<String> ids, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!finals.keySet().containsAll(ids)) {
            if (System.nanoTime() > deadline) {
                Set<String> missing = new java.util.HashSet<>(ids);
                missing.removeAll(finals.keySet());
                throw new IllegalStateException(missing.size() + " deployments not final after " + timeout);
            }
            Thread.sleep(2);
        }
    }

    /** A repository whose history has {@code commits} commits after the first, each changing main.py; their SHAs. */
    private static List<String> createRepository(Path repo, int commits) throws Exception {
        if (Files.exists(repo)) {
            try (var walk = Files.walk(repo)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        Files.createDirectories(repo);
        Files.writeString(repo.resolve("procedure.yaml"), """
                name: bench-builds
                runtime: python 3.11
                entry_point: main.py
                """);
        Files.writeString(repo.resolve("main.py"), "print('build bench')\n");
        GitPush.git(repo, "init", "-q", "-b", "main");
        GitPush.git(repo, "config", "user.name", "Benchline Bench");
        GitPush.git(repo, "config", "user.email", "bench@benchline.local");
        GitPush.git(repo, "add", "-A");
        GitPush.git(repo, "commit", "-q", "-m", "First version");
        List<String> shas = new ArrayList<>();
        for (int i = 1; i <= commits; i++) {
            Files.writeString(repo.resolve("main.py"), "# build " + i + "\n", java.nio.file.StandardOpenOption.APPEND);
            GitPush.git(repo, "commit", "-qam", "Build " + i);
            shas.add(GitPush.git(repo, "rev-parse", "HEAD").trim());
        }
        return shas;
    }
}
