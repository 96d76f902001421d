package io.benchline.bench;

import io.benchline.stack.ProcessSupervisor;
import io.vertx.core.MultiMap;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import java.time.Duration;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * A small authenticated GET ({@code GET /v2/procedures/{id}} with the stack's API key, answered by
 * deployment-service) through the gateway LocalStack starts, against the same request sent directly to the
 * service. Closed loop at a few concurrencies. Load generator: the bench's own Vert.x client.
 */
final class GatewayBench {
    private GatewayBench() {
    }

    /** A running bare proxy; closing it stops its JVM (also when the part fails). */
    private record BareProxyStop(Process process, int port) implements AutoCloseable {
        BareProxyStop(Started started) {
            this(started.process(), started.port());
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Started(Process process, int port) {
    }

    /** Starts {@link BareProxy} in a JVM of its own in front of {@code upstream}; waits until it listens. */
    static Started startBareProxy(int upstream, int loops) throws Exception {
        int bareProxyPort;
        try (ServerSocket s = new ServerSocket(0)) {
            bareProxyPort = s.getLocalPort();
        }
        Process p = new ProcessBuilder(ProcessSupervisor.javaExecutable(), "-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
                "-Xss512k", "-cp", System.getProperty("java.class.path"), BareProxy.class.getName(),
                Integer.toString(bareProxyPort), Integer.toString(upstream), Integer.toString(loops))
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"ready".equals(line)) {
            p.destroyForcibly();
            throw new IllegalStateException("the bare Vert.x proxy did not start: " + line);
        }
        // Keep reading so a chatty child never blocks on a full pipe.
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded
                }
            } catch (Exception ignored) {
                // the process ended
            }
        }, "bare-proxy-output");
        drain.setDaemon(true);
        drain.start();
        return new Started(p, bareProxyPort);
    }

    private static void bareRows(Report report, String section, String name, HttpLoad.Result p, HttpLoad.Result d) {
        report.row(section, "  " + name + ", throughput", Report.rate(p.rate()), Report.rate(d.rate()),
                p.rate() / d.rate(), "-");
        report.row(section, "    p50 / p99", p.latencies().p50p99(), d.latencies().p50p99(),
                p.latencies().p50() / d.latencies().p50(), "-");
    }

    private static void problems(Report report, String name, HttpLoad.Result r) {
        if (!r.problems().isEmpty()) {
            report.note(name + ": " + r.problems());
        }
    }

    static void run(BenchStack stack, BenchOptions o, Report report, String procedureId) throws Exception {
        String path = "/v2/procedures/" + procedureId;
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + stack.apiKey());
        int gateway = stack.gatewayPort();
        int direct = stack.port("deployment-service");
        IntPredicate ok = s -> s == 200;
        Supplier<HttpLoad.Request> viaGateway = () -> HttpLoad.Request.get(gateway, path, headers);
        Supplier<HttpLoad.Request> viaDirect = () -> HttpLoad.Request.get(direct, path, headers);
        int pool = o.gatewayConcurrency.stream().mapToInt(Integer::intValue).max().orElse(64);
        String section = "3. gateway overhead (GET /v2/procedures/{id}, API key)";
        int loops = 2 * Runtime.getRuntime().availableProcessors();
        try (BareProxyStop many = new BareProxyStop(startBareProxy(direct, loops));
                BareProxyStop one = new BareProxyStop(startBareProxy(direct, 1));
                HttpLoad load = new HttpLoad(pool)) {
            Supplier<HttpLoad.Request> viaBare = () -> HttpLoad.Request.get(many.port(), path, headers);
            Supplier<HttpLoad.Request> viaBareOne = () -> HttpLoad.Request.get(one.port(), path, headers);
            load.closedLoop(viaDirect, ok, 8, Duration.ofSeconds(2));
            load.closedLoop(viaGateway, ok, 8, Duration.ofSeconds(2));
            load.closedLoop(viaBare, ok, 8, Duration.ofSeconds(2));
            load.closedLoop(viaBareOne, ok, 8, Duration.ofSeconds(2));
            for (int c : o.gatewayConcurrency) {
                BenchMain.progress("gateway: c=" + c + " for " + o.gatewaySeconds + " s, via gateway, directly and via"
                        + " the bare proxies");
                CpuTimes.Snapshot c0 = CpuTimes.take(stack);
                HttpLoad.Result g = load.closedLoop(viaGateway, ok, c, Duration.ofSeconds(o.gatewaySeconds));
                CpuTimes.Snapshot c1 = CpuTimes.take(stack);
                HttpLoad.Result d = load.closedLoop(viaDirect, ok, c, Duration.ofSeconds(o.gatewaySeconds));
                CpuTimes.Snapshot c2 = CpuTimes.take(stack);
                HttpLoad.Result p = load.closedLoop(viaBare, ok, c, Duration.ofSeconds(o.gatewaySeconds));
                HttpLoad.Result p1 = load.closedLoop(viaBareOne, ok, c, Duration.ofSeconds(o.gatewaySeconds));
                report.note("3 c=" + c + " via gateway: " + CpuTimes.perRequest(c0, c1, g.expected()));
                report.note("3 c=" + c + " direct: " + CpuTimes.perRequest(c1, c2, d.expected()));
                report.row(section, "c=" + c + " throughput via gateway", Report.rate(g.rate()), Report.rate(d.rate()),
                        g.rate() / d.rate(), "≥ 0.80x direct");
                report.row(section, "  p50 / p99 via gateway", g.latencies().p50p99(), d.latencies().p50p99(),
                        g.latencies().p50() / d.latencies().p50(), "p50 ≤ direct + 1 ms");
                bareRows(report, section, "bare Vert.x proxy, " + loops + " event loops", p, d);
                bareRows(report, section, "bare Vert.x proxy, 1 event loop", p1, d);
                problems(report, "3 c=" + c + " via bare Vert.x proxy (" + loops + " event loops)", p);
                problems(report, "3 c=" + c + " via bare Vert.x proxy (1 event loop)", p1);
                problems(report, "3 c=" + c + " via gateway", g);
                problems(report, "3 c=" + c + " direct", d);
            }
        }
        report.note("3: bare Vert.x proxy = io.vertx.httpproxy.HttpProxy alone (no Quarkus, router or interceptors) in"
                + " a JVM of its own with the gateway's flags (-Xms32m -Xmx128m -XX:+UseSerialGC), with " + loops
                + " event loops (Quarkus's default, 2 per core) and with 1, proxying to deployment-service: the cost of"
                + " the hop itself; baseline = direct.");
        report.note("3: baseline = the same GET straight to deployment-service; ratio of the p50 row is on p50."
                + " Load generator: the bench's Vert.x HTTP/1.1 client (keep-alive, one connection per request in"
                + " flight), closed loop.");
    }
}
