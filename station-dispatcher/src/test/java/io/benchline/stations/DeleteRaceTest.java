package io.benchline.stations;

import io.benchline.events.EventIds;
import io.benchline.stations.TestSupport.CreatedStation;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.benchline.stations.TestSupport.api;
import static io.benchline.stations.TestSupport.await;
import static io.benchline.stations.TestSupport.count;
import static io.benchline.stations.TestSupport.createStation;
import static io.benchline.stations.TestSupport.execute;
import static io.benchline.stations.TestSupport.link;
import static io.benchline.stations.TestSupport.newProcedure;
import static io.benchline.stations.TestSupport.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 6 under races: a pin and the delete check of the same deployment sent at the same moment, 1,000 times,
 * and a rollback job racing the delete check. Never a pointer to a deleted deployment; never a delete that answered
 * 2xx while a pointer named it.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class DeleteRaceTest {

    /** A ready production deployment in the projection, as a ready event would leave it. */
    private static String readyDeployment(String procedure, long sequence) {
        String id = EventIds.withPrefix("dep");
        execute("insert into deployments (id, org_id, procedure_id, sequence, environment, status, artifact_digest,"
                + " artifact_size_bytes, artifact_signature, artifact_key_id, deleted, updated_at)"
                + " values (?, ?, ?, ?, 'production', 'ready', 'sha256:' || md5(?) || md5(?), 1, 'c2ln', 'k', false, now())",
                id, FakePeers.ORG_ID, procedure, sequence, id, id + "x");
        return id;
    }

    private static boolean deleted(String deployment) {
        return count("select count(*) from deployments where id = ? and deleted", deployment) == 1;
    }

    @Test
    void aPinRacingTheDeleteCheckNeverLeavesAPointerOnADeletedDeployment() throws Exception {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int pinsWon = 0;
        int deletesWon = 0;
        try {
            for (int i = 1; i <= 1000; i++) {
                String deployment = readyDeployment(procedure, i);
                CyclicBarrier start = new CyclicBarrier(2);
                CompletableFuture<Integer> pin = CompletableFuture.supplyAsync(() -> {
                    awaitBarrier(start);
                    return api().post("/v2/stations/" + station.id() + "/deployments/" + deployment).statusCode();
                }, pool);
                CompletableFuture<Integer> delete = CompletableFuture.supplyAsync(() -> {
                    awaitBarrier(start);
                    return DeploymentManagementTest.tombstone(deployment, procedure, 1).statusCode();
                }, pool);
                int pinStatus = pin.get();
                int deleteStatus = delete.get();
                assertThat(pinStatus).as("pin in round %d", i).isIn(200, 404, 409);
                assertThat(deleteStatus).as("delete check in round %d", i).isIn(204, 409);
                boolean pinned = pinStatus == 200;
                boolean tombstoned = deleteStatus == 204;
                assertThat(pinned && tombstoned).as("round %d: both the pin and the delete answered 2xx", i).isFalse();
                assertThat(pinned || tombstoned).as("round %d: neither succeeded", i).isTrue();
                assertThat(deleted(deployment)).isEqualTo(tombstoned);
                String at = (String) row("select deployment_id from pointers where station_id = ? and procedure_id = ?",
                        station.id(), procedure).get(0);
                if (tombstoned) {
                    deletesWon++;
                    assertThat(at).as("round %d: pointer on the deleted deployment", i).isNotEqualTo(deployment);
                } else {
                    pinsWon++;
                    assertThat(at).isEqualTo(deployment);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("select count(*) from pointers p join deployments d on d.id = p.deployment_id"
                + " where d.deleted and p.procedure_id = ?", procedure)).isZero();
        // Both orders happened: the race was real, not one side always first.
        assertThat(pinsWon).isPositive();
        assertThat(deletesWon).isPositive();
    }

    @Test
    void aRollbackRacingTheDeleteCheckNeverLeavesAPointerOnADeletedDeployment() throws Exception {
        String procedure = newProcedure();
        String prefix = TestSupport.insertLinkedStations(procedure, 50);
        ExecutorService pool = Executors.newFixedThreadPool(1);
        int rollbacksWon = 0;
        int deletesWon = 0;
        try {
            for (int i = 1; i <= 100; i++) {
                String deployment = readyDeployment(procedure, i);
                long version = i;
                CompletableFuture<Void> job = CompletableFuture.runAsync(() -> {
                    execute("insert into fanout_jobs (id, deployment_id, org_id, procedure_id, reason, control_version,"
                            + " actor_name, created_at) values (?, ?, ?, ?, 'rollback', ?, 'race', now())",
                            EventIds.withPrefix("fan"), deployment, FakePeers.ORG_ID, procedure, version);
                    row("select pg_notify('benchline_fanout', ?)", procedure);
                }, pool);
                int deleteStatus = DeploymentManagementTest.tombstone(deployment, procedure, 1).statusCode();
                job.get();
                await("rollback job " + i + " finished", () -> count("select count(*) from fanout_jobs"
                        + " where deployment_id = ? and finished_at is null", deployment) == 0);
                long naming = count("select count(*) from pointers where deployment_id = ?", deployment);
                if (deleteStatus == 204) {
                    deletesWon++;
                    assertThat(naming).as("round %d: pointers on the deleted deployment", i).isZero();
                } else {
                    assertThat(deleteStatus).isEqualTo(409);
                    rollbacksWon++;
                    assertThat(deleted(deployment)).isFalse();
                    assertThat(naming).isPositive();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("select count(*) from pointers p join deployments d on d.id = p.deployment_id"
                + " where d.deleted and p.station_id like ? || '%'", prefix)).isZero();
        assertThat(rollbacksWon + deletesWon).isEqualTo(100);
        assertThat(deletesWon).isPositive();
    }

    private static void awaitBarrier(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
