package io.benchline.stations.store;

import io.benchline.stations.model.RunRequest;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

@ApplicationScoped
public class RunRequestRepository implements PanacheRepositoryBase<RunRequest, String> {

    /** Claims an open request for a run; false when it is unknown, of another procedure, or claimed already. */
    public Uni<Boolean> claim(String id, String stationId, String procedureId, String runId, Instant at) {
        return update("claimedAt = ?1, runId = ?2 where id = ?3 and stationId = ?4 and procedureId = ?5"
                + " and claimedAt is null", at, runId, id, stationId, procedureId).map(n -> n == 1);
    }

    /** Drops the open (not yet claimed) run requests of a procedure on a station: it was unlinked. */
    public Uni<Long> dropOpen(String stationId, String procedureId) {
        return delete("stationId = ?1 and procedureId = ?2 and claimedAt is null", stationId, procedureId);
    }
}
