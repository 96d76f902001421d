package io.benchline.deployments.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** Projection of station-dispatcher's pointers: which deployment a station runs for a procedure. */
@Entity
@Table(name = "station_pointers")
@IdClass(StationPointer.Key.class)
public class StationPointer {
    @Id
    @Column(name = "station_id")
    public String stationId;
    @Id
    @Column(name = "procedure_id")
    public String procedureId;
    @Column(name = "org_id")
    public String orgId;
    @Column(name = "deployment_id")
    public String deploymentId;
    @Column(name = "pointer_version")
    public long pointerVersion;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public static class Key implements Serializable {
        public String stationId;
        public String procedureId;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(stationId, k.stationId) && Objects.equals(procedureId, k.procedureId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(stationId, procedureId);
        }
    }
}
