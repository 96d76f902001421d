package io.benchline.deployments.model;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;

/** A test procedure: its repository connection, production branch, auto-push setting and webhook. */
@Entity
@Table(name = "procedures")
public class Procedure {
    @Id
    public String id;
    @Column(name = "org_id")
    public String orgId;
    public String name;
    /** github or gitlab. */
    public String provider;
    @Column(name = "clone_url")
    public String cloneUrl;
    @Column(name = "full_name")
    public String fullName;
    /** {@link RepositoryKeys#normalizeUrl} of the clone URL: what pushes are matched by. */
    @Column(name = "repository_key")
    public String repositoryKey;
    /** Lower-case full name (given, or derived from the clone URL's path); null for file URLs. */
    @Column(name = "full_name_key")
    public String fullNameKey;
    @Column(name = "production_branch")
    public String productionBranch;
    @Column(name = "auto_push")
    public boolean autoPush;
    @Convert(converter = StringListJson.class)
    @Column(name = "excluded_branches")
    public List<String> excludedBranches;
    @Column(name = "hook_id")
    public String hookId;
    @Column(name = "hook_secret")
    public String hookSecret;
    /** Encrypted repository credentials, or null: write-only, never shown, never on Kafka. */
    @Embedded
    public RepositoryCredentials credentials;
    /** The sequence the next deployment of this procedure gets; taken under a row lock. */
    @Column(name = "next_sequence")
    public long nextSequence;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    /** Set while a rollback pauses automatic fan-out; the rest says by whom, why and to which deployment. */
    @Column(name = "paused_at")
    public Instant pausedAt;
    @Column(name = "paused_by_key_id")
    public String pausedByKeyId;
    @Column(name = "paused_by_name")
    public String pausedByName;
    @Column(name = "pause_reason")
    public String pauseReason;
    @Column(name = "pause_note")
    public String pauseNote;
    @Column(name = "rollback_deployment_id")
    public String rollbackDeploymentId;
    /** +1 with every promote, rollback and resume; carried by their events so consumers apply them in order. */
    @Column(name = "control_version")
    public long controlVersion;
    /** The reconciler for missed pushes: on/off, interval, and the state of its passes. */
    @Embedded
    public ProcedureReconcile reconcile = new ProcedureReconcile();

    public boolean isPaused() {
        return pausedAt != null;
    }

    /** Takes the next deployment sequence; the caller holds this row's lock. */
    public long takeSequence() {
        return nextSequence++;
    }

    /** The reconciler's settings and state (never null, also for a row Hibernate left it null on). */
    public ProcedureReconcile reconcile() {
        if (reconcile == null) {
            reconcile = new ProcedureReconcile();
        }
        return reconcile;
    }

    public boolean isExcluded(String branch) {
        return excludedBranches != null && excludedBranches.stream().anyMatch(p -> BranchPatterns.matches(p, branch));
    }
}
