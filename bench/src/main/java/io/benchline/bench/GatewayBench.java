package io.benchline.bench;

import io.vertx.core.MultiMap;

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

    static void run(BenchStack stack, BenchOptions o, Report report, String procedureId) {
        String path = "/v2/procedures/" + procedureId;
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + stack.apiKey());
        int gateway = stack.gatewayPort();
        int direct = stack.port("deployment-service");
        IntPredicate ok = s -> s == 200;
        Supplier<HttpLoad.Request> viaGateway = () -> HttpLoad.Request.get(gateway, path, headers);
        Supplier<HttpLoad.Request> viaDirect = () -> HttpLoad.Request.get(direct, path, headers);
        int pool = o.gatewayConcurrency.stream().mapToInt(Integer::intValue).max().orElse(64);
        String section = "3. gateway overhead (GET /v2/procedures/{id}, API key)";
        try (HttpLoad load = new HttpLoad(pool)) {
            load.closedLoop(viaDirect, ok, 8, Duration.ofSeconds(2));
            load.closedLoop(viaGateway, ok, 8, Duration.ofSeconds(2));
            for (int c : o.gatewayConcurrency) {
                BenchMain.progress("gateway: c=" + c + " for " + o.gatewaySeconds + " s, via gateway and directly");
                HttpLoad.Result g = load.closedLoop(viaGateway, ok, c, Duration.ofSeconds(o.gatewaySeconds));
                HttpLoad.Result d = load.closedLoop(viaDirect, ok, c, Duration.ofSeconds(o.gatewaySeconds));
                report.row(section, "c=" + c + " throughput via gateway", Report.rate(g.rate()), Report.rate(d.rate()),
                        g.rate() / d.rate(), "≥ 0.80x direct");
                report.row(section, "  p50 / p99 via gateway", g.latencies().p50p99(), d.latencies().p50p99(),
                        g.latencies().p50() / d.latencies().p50(), "p50 ≤ direct + 1 ms");
                if (!g.problems().isEmpty()) {
                    report.note("3 c=" + c + " via gateway: " + g.problems());
                }
                if (!d.problems().isEmpty()) {
                    report.note("3 c=" + c + " direct: " + d.problems());
                }
            }
        }
        report.note("3: baseline = the same GET straight to deployment-service; ratio of the p50 row is on p50."
                + " Load generator: the bench's Vert.x HTTP/1.1 client (keep-alive, one connection per request in"
                + " flight), closed loop.");
    }
}
