package io.benchline.stations.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * Per (station, procedure): the deployment the platform wants there (desired, with its sequence so
 * automatic moves can go forward only) and the one the agent says it runs (actual).
 */
@Entity
@Table(name = "pointers")
@IdClass(StationProcedureKey.class)
public class Pointer extends PanacheEntityBase {
    @Id
    @Column(name = "station_id")
    public String stationId;
    @Id
    @Column(name = "procedure_id")
    public String procedureId;
    @Column(name = "deployment_id")
    public String deploymentId;
    public Long sequence;
    @Column(name = "pointer_version", nullable = false)
    public long pointerVersion;
    @Column(name = "moved_at")
    public Instant movedAt;
    @Column(name = "actual_deployment_id")
    public String actualDeploymentId;
    @Column(name = "actual_reported_at")
    public Instant actualReportedAt;
    /** Set while the pointer is pinned: automatic fan-out leaves it alone. */
    @Column(name = "pinned_at")
    public Instant pinnedAt;
    @Column(name = "pinned_by_key_id")
    public String pinnedByKeyId;
    @Column(name = "pinned_by_name")
    public String pinnedByName;

    public boolean isPinned() {
        return pinnedAt != null;
    }
}
