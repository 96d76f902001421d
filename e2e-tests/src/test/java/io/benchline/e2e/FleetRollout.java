package io.benchline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.cli.agent.Agent;
import io.benchline.cli.agent.AgentConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fleet of real agents in this JVM, each speaking the real agent channel through the gateway with its own station,
 * token and work folder, and a factory that keeps them running units: every period each driven station gets a run
 * request for a new serial number. What a run does is the deployed code's: the procedure's {@code main.py} fails a
 * scripted share of serial numbers (by a hash of the serial, so the outcome is the version's, not the station's).
 */
final class FleetRollout implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(180);

    record Station(String id, Agent agent, Thread thread) {
    }

    private final Api api;
    private final String procedureId;
    private final List<Station> stations = new ArrayList<>();
    /** Stations the factory sends units to. */
    private final Set<String> driven = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService factory = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fleet-factory");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong serials = new AtomicLong();

    private FleetRollout(Api api, String procedureId) {
        this.api = api;
        this.procedureId = procedureId;
    }

    /**
     * The procedure's {@code main.py}: fails {@code failPercent} of serial numbers, passes the rest; a serial number
     * starting with {@code SLOW-} takes 3 s.
     */
    static String mainPy(String version, int failPercent) {
        return """
                import os, time, zlib
                serial = os.environ.get("BENCHLINE_SERIAL_NUMBER", "")
                if serial.startswith("SLOW-"):
                    time.sleep(3)  # a long unit: keeps a station busy
                bucket = zlib.crc32(serial.encode()) %% 100
                print("fleet-check %s, unit", serial, "bucket", bucket)
                raise SystemExit(1 if bucket < %d else 0)
                """.formatted(version, failPercent);
    }

    /** {@code n} stations linked to the procedure's production, each with an agent started in this JVM. */
    static FleetRollout start(Api api, String baseUrl, Path work, String procedureId, int n) throws Exception {
        FleetRollout fleet = new FleetRollout(api, procedureId);
        Path keys = work.resolve("fleet-trusted-keys.json");
        Files.writeString(keys, api.get("/v2/keys").expect(200).body());
        for (int i = 0; i < n; i++) {
            JsonNode station = api.post("/v2/stations", Map.of("name", "fleet-%02d".formatted(i))).expect(201).json();
            String id = station.get("id").asText();
            api.post("/v2/stations/" + id + "/links", Map.of("procedure_id", procedureId, "environment",
                    "production")).expect(200, 201);
            Agent agent = new Agent(new AgentConfig(baseUrl, station.get("agent_token").asText(), keys,
                    work.resolve("fleet/station-%02d".formatted(i)), Duration.ofSeconds(1), "python3",
                    Duration.ofSeconds(1), Duration.ofSeconds(20), AgentConfig.DEFAULT_KEYS_REFRESH));
            Thread thread = new Thread(agent::run, "fleet-agent-%02d".formatted(i));
            thread.setDaemon(true);
            thread.start();
            fleet.stations.add(new Station(id, agent, thread));
        }
        return fleet;
    }

    List<String> stationIds() {
        return stations.stream().map(Station::id).toList();
    }

    /** Sends a unit to each driven station every {@code period}. */
    void startFactory(Duration period) {
        factory.scheduleWithFixedDelay(this::sendUnits, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    void drive(List<String> stationIds) {
        driven.addAll(stationIds);
    }

    /** Sends {@code n} long units to one station at once: it runs them back to back. */
    void batchOfSlowUnits(String stationId, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            api.post("/v2/stations/" + stationId + "/run-requests", Map.of("procedure_id", procedureId,
                    "serial_number", "SLOW-" + serials.incrementAndGet())).expect(202);
        }
    }

    void stopDriving() {
        driven.clear();
    }

    private void sendUnits() {
        for (String station : List.copyOf(driven)) {
            try {
                api.post("/v2/stations/" + station + "/run-requests", Map.of("procedure_id", procedureId,
                        "serial_number", "FL-" + serials.incrementAndGet())).expect(202);
            } catch (Exception | AssertionError e) {
                System.err.println("fleet factory: cannot send a unit to " + station + ": " + e);
            }
        }
    }

    JsonNode pointer(String stationId) throws Exception {
        for (JsonNode p : api.get("/v2/stations/" + stationId).expect(200).json().get("pointers")) {
            if (p.get("procedure_id").asText().equals(procedureId)) {
                return p;
            }
        }
        throw new AssertionError("station " + stationId + " has no pointer for " + procedureId);
    }

    /** Waits until every named station runs (actual) the deployment. */
    void awaitActual(String what, List<String> stationIds, String deploymentId) throws Exception {
        Set<String> left = new HashSet<>(stationIds);
        Await.until(what, WAIT, () -> {
            for (String station : List.copyOf(left)) {
                JsonNode p = pointer(station);
                if (deploymentId.equals(p.path("actual_deployment_id").asText())) {
                    left.remove(station);
                }
            }
            return left.isEmpty() ? true : null;
        }, () -> left.size() + " stations left, e.g. " + left.stream().findFirst().orElse(""));
    }

    /** The stations whose pointer (desired) names the deployment. */
    List<String> desiredOn(String deploymentId) throws Exception {
        List<String> on = new ArrayList<>();
        for (String station : stationIds()) {
            if (deploymentId.equals(pointer(station).path("deployment_id").asText())) {
                on.add(station);
            }
        }
        return on;
    }

    JsonNode rollout(String id) throws Exception {
        return api.get("/v2/rollouts/" + id).expect(200).json();
    }

    JsonNode awaitRolloutState(String id, String state) throws Exception {
        return Await.until("rollout " + id + " is " + state, WAIT, () -> {
            JsonNode r = rollout(id);
            return state.equals(r.path("state").asText()) ? r : null;
        }, () -> {
            try {
                JsonNode r = rollout(id);
                return "state " + r.path("state").asText() + ", stage " + r.path("stage").asInt() + ", verdict "
                        + r.path("verdict");
            } catch (Exception e) {
                return e.toString();
            }
        });
    }

    /** The station's finished runs, newest first. */
    List<JsonNode> finishedRuns(String stationId) throws Exception {
        List<JsonNode> runs = new ArrayList<>();
        for (JsonNode r : api.get("/v2/stations/" + stationId + "/runs").expect(200).json().get("data")) {
            if ("finished".equals(r.path("status").asText())) {
                runs.add(r);
            }
        }
        return runs;
    }

    List<JsonNode> timeline(String stationId) throws Exception {
        List<JsonNode> entries = new ArrayList<>();
        api.get("/v2/stations/" + stationId + "/timeline?limit=200").expect(200).json().get("data")
                .forEach(entries::add);
        return entries;
    }

    static Instant at(JsonNode entry) {
        return Instant.parse(entry.get("at").asText());
    }

    @Override
    public void close() throws InterruptedException {
        factory.shutdownNow();
        for (Station s : stations) {
            s.agent().stop();
        }
        for (Station s : stations) {
            s.agent().awaitStopped(Duration.ofSeconds(20));
        }
    }
}
