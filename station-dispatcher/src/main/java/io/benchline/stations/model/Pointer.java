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
    /** What the agent does with {@link #agentStateDeploymentId}: downloading, installing, staged, active, failed. */
    @Column(name = "agent_state")
    public String agentState;
    @Column(name = "agent_state_deployment_id")
    public String agentStateDeploymentId;
    /** Why it failed (the install output's tail), for {@code failed}. */
    @Column(name = "agent_state_reason")
    public String agentStateReason;
    @Column(name = "agent_state_at")
    public Instant agentStateAt;
    /** Since when the agent has had a staged deployment it has not made active yet (null: none). */
    @Column(name = "staged_since")
    public Instant stagedSince;
    /** The trace of the last move (null: none), which the agent's assignment and report continue. */
    public String traceparent;
    public String tracestate;

    public boolean isPinned() {
        return pinnedAt != null;
    }
}
