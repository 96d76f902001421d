package io.benchline.stations.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A request to start a run; delivered to the agent until a started run claims it. */
@Entity
@Table(name = "run_requests")
public class RunRequest extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "station_id", nullable = false)
    public String stationId;
    @Column(name = "procedure_id", nullable = false)
    public String procedureId;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "claimed_at")
    public Instant claimedAt;
    @Column(name = "run_id")
    public String runId;
    /** The unit to test (null: the procedure's default). */
    @Column(name = "serial_number")
    public String serialNumber;
}
