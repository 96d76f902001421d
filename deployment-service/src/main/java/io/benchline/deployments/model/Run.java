package io.benchline.deployments.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** Projection of one run on a station, tagged with the deployment it ran on. */
@Entity
@Table(name = "runs")
public class Run {
    @Id
    @Column(name = "run_id")
    public String runId;
    @Column(name = "station_id")
    public String stationId;
    @Column(name = "org_id")
    public String orgId;
    @Column(name = "deployment_id")
    public String deploymentId;
    @Column(name = "procedure_id")
    public String procedureId;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    public String outcome;
    @Column(name = "duration_ms")
    public Long durationMs;
    @Column(name = "serial_number")
    public String serialNumber;
    /** JSON array of station.runs' phases (null: none reported). */
    public String phases;
}
