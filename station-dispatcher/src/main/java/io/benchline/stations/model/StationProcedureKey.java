package io.benchline.stations.model;

import java.io.Serializable;
import java.util.Objects;

/** Primary key of links and pointers. */
public class StationProcedureKey implements Serializable {
    public String stationId;
    public String procedureId;

    public StationProcedureKey() {
    }

    public StationProcedureKey(String stationId, String procedureId) {
        this.stationId = stationId;
        this.procedureId = procedureId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StationProcedureKey k && Objects.equals(stationId, k.stationId)
                && Objects.equals(procedureId, k.procedureId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stationId, procedureId);
    }
}
