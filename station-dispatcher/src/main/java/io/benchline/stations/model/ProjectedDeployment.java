package io.benchline.stations.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** This service's copy of a deployment, kept from deployment.events; written by native upsert only. */
@Entity
@Table(name = "deployments")
public class ProjectedDeployment extends PanacheEntityBase {
    public static final String READY = "ready";

    @Id
    public String id;
    @Column(name = "org_id", nullable = false)
    public String orgId;
    @Column(name = "procedure_id", nullable = false)
    public String procedureId;
    @Column(nullable = false)
    public long sequence;
    @Column(nullable = false)
    public String environment;
    public String branch;
    @Column(nullable = false)
    public String status;
    @Column(name = "artifact_digest")
    public String artifactDigest;
    @Column(name = "artifact_size_bytes")
    public Long artifactSizeBytes;
    @Column(name = "artifact_signature")
    public String artifactSignature;
    @Column(name = "artifact_key_id")
    public String artifactKeyId;
    @Column(nullable = false)
    public boolean deleted;
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** The only state a pointer may name (invariant 6). */
    public boolean isDeployable() {
        return READY.equals(status) && !deleted && artifactDigest != null;
    }
}
