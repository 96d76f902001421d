package io.benchline.bench;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** Every knob of a bench run; defaults keep a full run under about ten minutes on two cores. */
public final class BenchOptions {
    public static final List<String> PARTS = List.of("push", "deployments", "dashboard", "live", "gateway", "fanout", "rollout", "webhooks",
            "memory", "builds");

    @Option(names = "--only", split = ",", paramLabel = "PART",
            description = "parts to run, comma-separated: push, deployments, dashboard, live, gateway, fanout, rollout, webhooks,"
                    + " memory, builds (default: all; builds runs last, on stacks of its own)")
    List<String> only = PARTS;

    @Option(names = "--fanout", split = ",", paramLabel = "N", description = "fan-out sizes (default 10000,100000)")
    List<Integer> fanout = List.of(10_000, 100_000);

    @Option(names = "--agents", paramLabel = "N",
            description = "connected simulated agents per fan-out: min(N, size) (default 10000)")
    int agents = 10_000;

    @Option(names = "--fanout-timeout", paramLabel = "SECONDS", description = "give up on one fan-out after (default 120)")
    int fanoutTimeout = 120;

    @Option(names = "--rollout", paramLabel = "N", description = "stations of the rollout part (default 10000)")
    int rollout = 10_000;

    @Option(names = "--rollout-stages", split = ",", paramLabel = "STAGE",
            description = "the rollout's stages, each a percent (10%%) or a station count (default 1%%,10%%,50%%,100%%);"
                    + " the abort runs on a second rollout of the last two")
    List<String> rolloutStages = List.of("1%", "10%", "50%", "100%");

    @Option(names = "--rollout-timeout", paramLabel = "SECONDS",
            description = "give up on one rollout stage or abort after (default 60)")
    int rolloutTimeout = 60;

    @Option(names = "--webhook-rate", paramLabel = "PER_SECOND", description = "offered webhook rate (default 1000)")
    int webhookRate = 1000;

    @Option(names = "--webhook-seconds", paramLabel = "SECONDS", description = "fixed-rate run length (default 10)")
    int webhookSeconds = 10;

    @Option(names = "--max-seconds", paramLabel = "SECONDS", description = "max-rate run length (default 5)")
    int maxSeconds = 5;

    @Option(names = "--max-concurrency", paramLabel = "N", description = "requests in flight at max rate (default 64)")
    int maxConcurrency = 64;

    @Option(names = "--gateway-concurrency", split = ",", paramLabel = "N",
            description = "concurrencies of the gateway overhead runs (default 1,16,64)")
    List<Integer> gatewayConcurrency = List.of(1, 16, 64);

    @Option(names = "--gateway-seconds", paramLabel = "SECONDS", description = "length of each gateway run (default 5)")
    int gatewaySeconds = 5;

    @Option(names = "--live-pushes", paramLabel = "N",
            description = "pushes watched on the Deployments tab's event stream (default 10)")
    int livePushes = 10;

    @Option(names = "--pushes", paramLabel = "N", description = "pushes in push → ready (default 20)")
    int pushes = 20;

    @Option(names = "--deployment-rows", paramLabel = "N", description = "deployments inserted for GET /v2/deployments and the dashboard pages, once per run"
                    + " (default 1000000)")
    int deploymentRows = 1_000_000;

    @Option(names = "--page-samples", paramLabel = "N",
            description = "requests per page kind and path, one at a time (default 200; the dashboard part takes fewer"
                    + " of a page slower than 100 ms, at least 30)")
    int pageSamples = 200;

    @Option(names = "--dashboard-concurrency", paramLabel = "N",
            description = "dashboard pages (and their API calls) in flight in the concurrent run (default 4)")
    int dashboardConcurrency = 4;

    @Option(names = "--dashboard-seconds", paramLabel = "SECONDS",
            description = "length of each concurrent dashboard run (default 5)")
    int dashboardSeconds = 5;

    @Option(names = "--webhook-fixture", paramLabel = "FILE",
            description = "GitHub push payload sent byte for byte (default ../shared/fixtures/webhooks/github/goscm-push.json)")
    Path webhookFixture;

    @Option(names = "--dir", paramLabel = "DIR", description = "data folder, emptied first (default bench/target/bench-stack)")
    Path dataDir;

    @Option(names = "--port", paramLabel = "N", description = "gateway port (default 18080)")
    int gatewayPort = 18080;

    @Option(names = "--service-ports", paramLabel = "N", description = "first of five service ports (default 18081)")
    int servicePortBase = 18081;

    @Option(names = "--postgres-port", paramLabel = "N", description = "(default 25432)")
    int postgresPort = 25432;

    @Option(names = "--kafka-port", paramLabel = "N", description = "(default 29092; controller N+1)")
    int kafkaPort = 29092;

    @Option(names = "--s3-port", paramLabel = "N", description = "(default 29000)")
    int s3Port = 29000;

    @Option(names = "--builds", paramLabel = "N", description = "manual deployments per build-throughput run (default 60)")
    int builds = 60;

    @Option(names = "--build-workers", split = ",", paramLabel = "N",
            description = "build-worker instance counts to measure, the first being the 1x baseline (default 1,2,4)")
    List<Integer> buildWorkers = List.of(1, 2, 4);

    @Option(names = "--jit", paramLabel = "full|c1",
            description = "the services' JIT: full (C2, as production runs them; default) or c1 (as the local stack"
                    + " runs them by default, to start faster on a small machine)")
    String jit = "full";

    boolean fullJit() {
        if (!jit.equals("full") && !jit.equals("c1")) {
            throw new IllegalArgumentException("--jit " + jit + ": expected full or c1");
        }
        return jit.equals("full");
    }

    @Option(names = "--env", paramLabel = "MODULE:KEY=VALUE",
            description = "an environment variable for one process of the stack, e.g. gateway:QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE=2"
                    + " (repeatable; for trying settings without a rebuild)")
    List<String> env = List.of();

    /** {@link #env} as LocalStack's extra environment: module → variables. */
    java.util.Map<String, java.util.Map<String, String>> extraEnv() {
        java.util.Map<String, java.util.Map<String, String>> out = new java.util.LinkedHashMap<>();
        for (String e : env) {
            int colon = e.indexOf(':');
            int eq = e.indexOf('=', colon + 1);
            if (colon <= 0 || eq <= colon + 1) {
                throw new IllegalArgumentException("--env " + e + ": expected MODULE:KEY=VALUE");
            }
            out.computeIfAbsent(e.substring(0, colon), m -> new java.util.LinkedHashMap<>())
                    .put(e.substring(colon + 1, eq), e.substring(eq + 1));
        }
        return out;
    }

    boolean runs(String part) {
        return only.contains(part);
    }
}
