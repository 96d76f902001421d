package io.benchline.stations;

import io.benchline.events.ArtifactRef;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.EventSchemas;
import io.benchline.events.EventTypes;
import io.benchline.events.PointerMoved;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers shared by the dispatcher tests: API calls, deployment events in, pointer/run events out. */
final class TestSupport {
    static final String DATABASE = "benchline_dispatcher";
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final Random RANDOM = new Random();

    private TestSupport() {
    }

    static RequestSpecification api() {
        return RestAssured.given().header("Authorization", "Bearer " + FakePeers.API_KEY).contentType(ContentType.JSON);
    }

    static RequestSpecification agent(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    record CreatedStation(String id, String agentToken) {
    }

    static CreatedStation createStation() {
        JsonPath json = api().body(Map.of("name", "bench-" + EventIds.next())).post("/v2/stations")
                .then().statusCode(201).extract().jsonPath();
        return new CreatedStation(json.getString("id"), json.getString("agent_token"));
    }

    /** A procedure deployment-service knows for organization A. */
    static String newProcedure() {
        String id = EventIds.withPrefix("prc");
        FakePeers.PROCEDURES.put(id, FakePeers.ORG_ID);
        return id;
    }

    static JsonPath link(String stationId, String procedureId, String environment, String branch) {
        Map<String, Object> body = branch == null ? Map.of("procedure_id", procedureId, "environment", environment)
                : Map.of("procedure_id", procedureId, "environment", environment, "branch", branch);
        return api().body(body).post("/v2/stations/" + stationId + "/links").then().statusCode(201).extract().jsonPath();
    }

    static ArtifactRef artifact() {
        byte[] hash = new byte[32];
        RANDOM.nextBytes(hash);
        return new ArtifactRef("sha256:" + HexFormat.of().formatHex(hash), 1234, "c2lnbmF0dXJl",
                "ed25519-0123456789abcdef");
    }

    static DeploymentEvent ready(String procedureId, String deploymentId, long sequence, String environment,
            String branch) {
        return new DeploymentEvent(DeploymentEvent.READY, deploymentId, FakePeers.ORG_ID, procedureId, sequence,
                environment, "auto", "ready", branch, "0123456789abcdef0123456789abcdef01234567", true, artifact());
    }

    static EventEnvelope envelope(DeploymentEvent event) {
        return EventCodec.envelope(EventTypes.DEPLOYMENT_LIFECYCLE, "/deployment-service", event.deploymentId(), event);
    }

    static void send(EventEnvelope envelope) {
        KafkaTestClient.send(Topics.DEPLOYMENT_EVENTS, envelope.subject(), EventCodec.toJson(envelope),
                Map.of(EventEnvelope.HEADER_ID, envelope.id(), EventEnvelope.HEADER_TYPE, envelope.type()));
    }

    static EventEnvelope send(DeploymentEvent event) {
        EventEnvelope envelope = envelope(event);
        send(envelope);
        return envelope;
    }

    /** Waits until the dispatcher recorded the event as handled (its transaction committed). */
    static void awaitProcessed(String eventId) {
        await("event " + eventId + " processed", () -> count(
                "select count(*) from processed_events where event_id = ?", eventId) == 1);
    }

    static long count(String sql, String... params) {
        try (Connection c = DriverManager.getConnection(BenchlineInfra.jdbcUrl(DATABASE), BenchlineInfra.dbUser(),
                BenchlineInfra.dbPassword()); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Inserts {@code n} stations of organization A, each linked for production to the procedure with an empty
     * pointer, in three set-based statements (the API would take minutes for a fleet). Returns their id prefix.
     */
    static String insertLinkedStations(String procedureId, int n) {
        String prefix = "stn_" + EventIds.next().substring(18);
        String ids = "select ? || lpad(g::text, 16, '0') as id from generate_series(1, ?) g";
        execute("insert into stations (id, org_id, name, agent_token_hash, created_at)"
                + " select s.id, ?, s.id, md5(s.id), now() from (" + ids + ") s", FakePeers.ORG_ID, prefix, n);
        execute("insert into links (station_id, procedure_id, environment, created_at)"
                + " select s.id, ?, 'production', now() from (" + ids + ") s", procedureId, prefix, n);
        execute("insert into pointers (station_id, procedure_id)"
                + " select s.id, ? from (" + ids + ") s", procedureId, prefix, n);
        return prefix;
    }

    static void execute(String sql, Object... params) {
        try (Connection c = DriverManager.getConnection(BenchlineInfra.jdbcUrl(DATABASE), BenchlineInfra.dbUser(),
                BenchlineInfra.dbPassword()); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first row of a query as a list of column values (null when no row). */
    static List<Object> row(String sql, Object... params) {
        try (Connection c = DriverManager.getConnection(BenchlineInfra.jdbcUrl(DATABASE), BenchlineInfra.dbUser(),
                BenchlineInfra.dbPassword()); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                List<Object> values = new java.util.ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    values.add(rs.getObject(i));
                }
                return values;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every station.pointer.moved event to this deployment, by station, once {@code stations} distinct stations
     * have one; the map's lists hold distinct event ids (a relay resend of one event is one move).
     */
    static Map<String, List<PointerMoved>> movesTo(String deploymentId, int stations, Duration wait) {
        Map<String, Map<String, PointerMoved>> byStation = new java.util.HashMap<>();
        int[] seen = {0};
        KafkaTestClient.readUntil(Topics.STATION_POINTER_MOVED, records -> {
            for (int i = seen[0]; i < records.size(); i++) {
                String value = records.get(i).value();
                if (value.contains(deploymentId)) {
                    EventEnvelope envelope = EventCodec.parse(value);
                    PointerMoved moved = EventCodec.data(envelope, PointerMoved.class);
                    if (deploymentId.equals(moved.toDeploymentId())) {
                        byStation.computeIfAbsent(moved.stationId(), k -> new java.util.HashMap<>())
                                .put(envelope.id(), moved);
                    }
                }
            }
            seen[0] = records.size();
            return byStation.size() >= stations;
        }, wait);
        Map<String, List<PointerMoved>> result = new java.util.HashMap<>();
        byStation.forEach((station, events) -> result.put(station, List.copyOf(events.values())));
        return result;
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    static JsonPath station(String stationId) {
        return api().get("/v2/stations/" + stationId).then().statusCode(200).extract().jsonPath();
    }

    /** The station's pointer for a procedure as GET /v2/stations/{id} shows it. */
    static Map<String, Object> pointer(String stationId, String procedureId) {
        List<Map<String, Object>> pointers = station(stationId).getList("pointers");
        return pointers.stream().filter(p -> procedureId.equals(p.get("procedure_id"))).findFirst()
                .orElseThrow(() -> new AssertionError("no pointer of " + procedureId + " on " + stationId));
    }

    static void awaitPointerAt(String stationId, String procedureId, String deploymentId) {
        await("pointer of " + stationId + " at " + deploymentId,
                () -> deploymentId.equals(pointer(stationId, procedureId).get("deployment_id")));
    }

    /** Every record on a topic keyed by the station, once {@code done} holds (or the wait ends). */
    static List<ConsumerRecord<String, String>> recordsOf(String topic, String stationId,
            Predicate<List<ConsumerRecord<String, String>>> done, Duration wait) {
        return KafkaTestClient.readUntil(topic, rs -> done.test(rs.stream()
                        .filter(r -> stationId.equals(r.key())).toList()), wait)
                .stream().filter(r -> stationId.equals(r.key())).toList();
    }

    /**
     * Every record on a topic keyed by {@code key}, read to the topic's end offsets once the outbox holds no row of
     * that key (the relay deletes a row only after the broker acknowledged it): complete for every change already
     * committed, with no waiting window.
     */
    static List<ConsumerRecord<String, String>> allRecordsOf(String topic, String key) {
        await("the outbox sent every record of " + key,
                () -> count("select count(*) from outbox where message_key = ?", key) == 0);
        return KafkaTestClient.readAll(topic).stream().filter(r -> key.equals(r.key())).toList();
    }

    /** Ten production stations of a new procedure, all on a first deployment; returns [procedure, prefix, first]. */
    static String[] fleetOnFirstDeployment() {
        String procedure = newProcedure();
        String prefix = insertLinkedStations(procedure, 10);
        String first = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, first, 1, "production", null)).id());
        await("10 stations of " + procedure + " on " + first,
                () -> count("select count(*) from pointers where deployment_id = ?", first) == 10);
        return new String[] {procedure, prefix, first};
    }

    /** A ready production deployment that does not fan out by itself (auto-push off). */
    static String readyWithoutAutoPush(String procedure, long sequence) {
        String id = EventIds.withPrefix("dep");
        DeploymentEvent r = ready(procedure, id, sequence, "production", null);
        awaitProcessed(send(new DeploymentEvent(r.change(), r.deploymentId(), r.orgId(), r.procedureId(), r.sequence(),
                r.environment(), r.trigger(), r.status(), null, r.commitSha(), false, r.artifact())).id());
        return id;
    }

    /**
     * Pointer moves of a station: waits for {@code expected}, then until no fan-out job is open and the outbox sent
     * every record of the station, and reads the topic to its end: an extra move of a change the caller saw
     * committed (its event processed, its API call answered) is there by then, with no waiting window.
     */
    static List<ConsumerRecord<String, String>> pointerMoves(String stationId, int expected) {
        recordsOf(Topics.STATION_POINTER_MOVED, stationId, rs -> rs.size() >= expected, WAIT);
        await("no fan-out job open", () -> count("select count(*) from fanout_jobs where finished_at is null") == 0);
        List<ConsumerRecord<String, String>> all = allRecordsOf(Topics.STATION_POINTER_MOVED, stationId);
        all.forEach(TestSupport::assertValidEvent);
        return all;
    }

    static void assertValidEvent(ConsumerRecord<String, String> record) {
        assertThat(EventSchemas.validate(record.value())).as("schema problems of %s", record.value()).isEmpty();
        EventEnvelope envelope = EventCodec.parse(record.value());
        assertThat(KafkaTestClient.header(record, EventEnvelope.HEADER_ID)).isEqualTo(envelope.id());
        assertThat(KafkaTestClient.header(record, EventEnvelope.HEADER_TYPE)).isEqualTo(envelope.type());
        assertThat(envelope.source()).isEqualTo("/station-dispatcher");
        assertThat(envelope.subject()).isEqualTo(record.key());
    }
}
