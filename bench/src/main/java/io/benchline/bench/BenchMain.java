package io.benchline.bench;

import io.benchline.stack.GitPush;
import io.benchline.stack.LocalStack;
import io.benchline.stack.StackLayout;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bench [--only PART,...] [options]}: starts the real local stack on the bench's own ports and data
 * folder, measures each figure and its raw baseline in the same run, prints one table, and stops every process
 * it started, also on failure or Ctrl-C.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchline figures beside raw baselines, measured in one run on the real local stack.")
public final class BenchMain implements Callable<Integer> {
    @Mixin
    BenchOptions o = new BenchOptions();

    private final Report report = new Report();
    private volatile BenchStack stack;
    private final AtomicBoolean finished = new AtomicBoolean();

    public static void main(String[] args) {
        quietLibraryLogging();
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    static void progress(String message) {
        System.err.printf(Locale.ROOT, "bench %s: %s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS), message);
    }

    @Override
    public Integer call() throws Exception {
        for (String part : o.only) {
            if (!BenchOptions.PARTS.contains(part)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown part " + part
                        + "; parts: " + String.join(", ", BenchOptions.PARTS));
            }
        }
        long started = System.nanoTime();
        header();
        Thread hook = new Thread(() -> {
            if (!finished.get()) {
                System.err.println("\nbench: interrupted, stopping the stack …");
                stopStack();
                report.header("INTERRUPTED: the figures below are the ones measured before the stop");
                report.print(System.out);
            }
        }, "bench-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean failed = false;
        try {
            // The build-throughput part starts stacks of its own.
            if (!o.only.equals(List.of("builds"))) {
                progress("starting the local stack in its own folder and ports (first start takes a while) …");
                long t0 = System.nanoTime();
                stack = BenchStack.start(o);
                report.header(String.format(Locale.ROOT, "stack: LocalStack started in %.1f s; gateway :%d (%s), services :%d-%d,"
                        + " PostgreSQL :%d, Kafka :%d, S3Proxy :%d, data %s", (System.nanoTime() - t0) / 1e9,
                        o.gatewayPort, gatewayKind(), o.servicePortBase, o.servicePortBase + LocalStack.SERVICES.size() - 1, o.postgresPort, o.kafkaPort,
                        o.s3Port, stack.dir()) + (o.env.isEmpty() ? "" : "; --env " + String.join(" ", o.env)));
                failed = !runParts();
            }
        } catch (Exception e) {
            failed = true;
            report.header("FAILED: " + e);
            e.printStackTrace();
        } finally {
            stopStack();
        }
        try {
            // On stacks of its own, one per worker count, once the main stack is gone.
            if (o.runs("builds")) {
                failed |= !part("builds", () -> BuildThroughputBench.run(o, report));
            }
        } finally {
            finished.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
        report.header(String.format(Locale.ROOT, "load after: %s; bench took %.0f s", loadavg(),
                (System.nanoTime() - started) / 1e9));
        report.print(System.out);
        return failed ? 1 : 0;
    }

    /** Runs the selected parts; a failing part is reported and the others still run. */
    private boolean runParts() {
        boolean ok = true;
        long idleJvm = o.runs("memory") ? MemoryBench.idleJvm(o.fullJit()) : 0;
        if (o.runs("memory")) {
            ok &= part("memory", () -> MemoryBench.run(stack, report, "after start", idleJvm));
        }
        if (o.runs("push")) {
            ok &= part("push", () -> PushReadyBench.run(stack, o, report));
        }
        if (o.runs("deployments")) {
            ok &= part("deployments", () -> DeploymentListBench.run(stack, o, report));
        }
        if (o.runs("dashboard")) {
            ok &= part("dashboard", () -> DashboardPagesBench.run(stack, o, report));
        }
        if (o.runs("live")) {
            ok &= part("live", () -> LiveBench.run(stack, o, report));
        }
        WebhookBench.Hook[] intake = new WebhookBench.Hook[1];
        if (o.runs("webhooks") || o.runs("gateway")) {
            ok &= part("setup", () -> intake[0] = WebhookBench.intakeProcedure(stack));
        }
        if (o.runs("gateway") && intake[0] != null) {
            ok &= part("gateway", () -> GatewayBench.run(stack, o, report, intake[0].procedureId()));
        }
        if (o.runs("fanout")) {
            ok &= part("fanout", () -> FanOutBench.run(stack, o, report));
        }
        if (o.runs("rollout")) {
            ok &= part("rollout", () -> RolloutBench.run(stack, o, report));
        }
        // Last: tens of thousands of accepted pushes keep webhook-service and deployment-service busy for a while.
        if (o.runs("webhooks") && intake[0] != null) {
            ok &= part("webhooks", () -> WebhookBench.run(stack, o, report, intake[0]));
        }
        if (o.runs("memory")) {
            ok &= part("memory", () -> MemoryBench.run(stack, report, "at the end", idleJvm));
            report.note("6: baseline = an idle JVM (-Xms64m -Xmx256m -XX:+UseSerialGC"
                    + (o.fullJit() ? "" : " -XX:TieredStopAtLevel=1") + " -Xss512k, the"
                    + " services' flags) running nothing; PostgreSQL's figure adds up its processes' VmRSS, which counts"
                    + " shared buffers once per process that touched them; PSS (smaps_rollup) splits them instead.");
        }
        return ok;
    }

    interface Part {
        void run() throws Exception;
    }

    private boolean part(String name, Part part) {
        try {
            part.run();
            return true;
        } catch (Exception | AssertionError e) {
            progress(name + " failed: " + e);
            e.printStackTrace();
            report.row("failures", name, "FAILED: " + e, "-", Double.NaN, "-");
            return false;
        }
    }

    private void header() {
        String commit;
        try {
            Path root = StackLayout.detect().root();
            commit = GitPush.git(root, "rev-parse", "--short", "HEAD").trim()
                    + (GitPush.git(root, "status", "--porcelain", "--untracked-files=no").isBlank() ? "" : " (uncommitted changes)");
        } catch (RuntimeException e) {
            commit = "?";
        }
        report.header(String.format(Locale.ROOT, "Benchline bench %s, commit %s, parts %s",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), commit, String.join(",", o.only)));
        report.header(String.format(Locale.ROOT, "machine: %d cores, %s, Java %s; load before: %s",
                Runtime.getRuntime().availableProcessors(), memTotal(), System.getProperty("java.version"), loadavg()));
        report.header(o.fullJit() ? "services: full JIT (C2), as production runs them (--jit c1 for the local stack's C1)"
                : "services: C1 only (-XX:TieredStopAtLevel=1), as the local stack runs them by default");
    }

    private String gatewayKind() {
        boolean own = ProcessHandle.current().descendants().anyMatch(h -> MemoryBench.name(h).equals("gateway"));
        return own ? "gateway module, own process" : "LocalStack's in-process gateway";
    }

    static String loadavg() {
        try {
            return "loadavg " + Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "loadavg ?";
        }
    }

    private static String memTotal() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/meminfo"));
            long kb = Long.parseLong(lines.get(0).replaceAll("[^0-9]", ""));
            return String.format(Locale.ROOT, "%.1f GiB RAM", kb / 1024.0 / 1024.0);
        } catch (Exception e) {
            return "? RAM";
        }
    }

    private synchronized void stopStack() {
        BenchStack s = stack;
        stack = null;
        if (s != null) {
            progress("stopping every process of the stack …");
            s.close();
        }
    }

    private static void quietLibraryLogging() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler handler : root.getHandlers()) {
            handler.setLevel(java.util.logging.Level.WARNING);
        }
    }
}
