package io.benchline.stations.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A test PC running the agent. Only the SHA-256 of its agent token is kept. */
@Entity
@Table(name = "stations")
public class Station extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "org_id", nullable = false)
    public String orgId;
    @Column(nullable = false)
    public String name;
    @Column(name = "agent_token_hash", nullable = false)
    public String agentTokenHash;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
    @Column(name = "last_seen_at")
    public Instant lastSeenAt;
    /** Marked for development: takes development deployments ({@code benchline dev}) by pin. */
    @Column(nullable = false)
    public boolean development;
}
