package io.benchline.stations.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One run on a station, tagged with the deployment it started on. */
@Entity
@Table(name = "runs")
public class Run extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "station_id", nullable = false)
    public String stationId;
    @Column(name = "procedure_id", nullable = false)
    public String procedureId;
    @Column(name = "deployment_id", nullable = false)
    public String deploymentId;
    @Column(name = "run_request_id")
    public String runRequestId;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    public String outcome;
    @Column(name = "duration_ms")
    public Long durationMs;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    /** The unit the run tested (null: not known). */
    @Column(name = "serial_number")
    public String serialNumber;
    /** Each phase's outcome, a JSON array of {@link io.benchline.events.StationRun.PhaseResult} (null: none). */
    public String phases;
}
