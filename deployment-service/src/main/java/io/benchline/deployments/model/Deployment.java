package io.benchline.deployments.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** The built artifact of a procedure at a commit, and the state of its build. */
@Entity
@Table(name = "deployments")
public class Deployment {
    public static final String PENDING = "pending";
    public static final String BUILDING = "building";
    public static final String READY = "ready";
    public static final String FAILED = "failed";

    @Id
    public String id;
    @Column(name = "org_id")
    public String orgId;
    @Column(name = "procedure_id")
    public String procedureId;
    public long sequence;
    /** The provider delivery that caused it (auto trigger); unique per procedure. */
    @Column(name = "delivery_id")
    public String deliveryId;
    @Column(name = "commit_sha")
    public String commitSha;
    @Column(name = "commit_message")
    public String commitMessage;
    @Column(name = "commit_author")
    public String commitAuthor;
    public String branch;
    public String environment;
    public String trigger;
    public String status;
    public String source;
    public String platform;
    public String language;
    @Column(name = "runtime_version")
    public String runtimeVersion;
    @Column(name = "entry_point")
    public String entryPoint;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "ended_at")
    public Instant endedAt;
    @Column(name = "build_duration_ms")
    public Long buildDurationMs;
    @Column(name = "artifact_digest")
    public String artifactDigest;
    @Column(name = "artifact_size_bytes")
    public Long artifactSizeBytes;
    @Column(name = "artifact_signature")
    public String artifactSignature;
    @Column(name = "artifact_key_id")
    public String artifactKeyId;
    @Column(name = "failure_reason")
    public String failureReason;
    @Column(name = "promoted_from")
    public String promotedFrom;
    @Column(name = "retry_of")
    public String retryOf;
    /** For source {@code upload}: the upload (artifact-store's {@code upl_…}) the build reads. */
    @Column(name = "upload_id")
    public String uploadId;
    /** Development only: the CLI session is alive until then unless a heartbeat moves it on. */
    @Column(name = "session_expires_at")
    public Instant sessionExpiresAt;
    /** Development only: when the CLI ended the session (null while it runs or when it just stopped beating). */
    @Column(name = "session_ended_at")
    public Instant sessionEndedAt;
    /** Created by the reconciler for a push whose webhook never arrived (trigger auto). */
    public boolean reconciled;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    /** A build.completed (its data as JSON) waiting for the log lines it counts; null when none is held. */
    @Column(name = "held_completed")
    public String heldCompleted;
    /** The held build.completed's log_line_count. */
    @Column(name = "expected_log_lines")
    public Long expectedLogLines;
    @Column(name = "held_since")
    public Instant heldSince;
    /** When a station pointer first named it: a rollback target must have run in production. */
    @Column(name = "first_deployed_at")
    public Instant firstDeployedAt;
    /** Set by a delete before station-dispatcher is asked; no promote or rollback takes it from then on. */
    @Column(name = "deleting_since")
    public Instant deletingSince;
    @Column(name = "deleted_at")
    public Instant deletedAt;
    /** Set when retention expired the deployment (it is deleted too): it answers 410 with this and the reason. */
    @Column(name = "expired_at")
    public Instant expiredAt;
    @Column(name = "expired_reason")
    public String expiredReason;
    @Column(name = "deleted_by_key_id")
    public String deletedByKeyId;
    @Column(name = "deleted_by_name")
    public String deletedByName;

    /** Ready and failed are final: no build event changes them again (invariant 2). */
    public boolean isFinal() {
        return READY.equals(status) || FAILED.equals(status);
    }

    /** A build.completed arrived but is held until its log is complete. */
    public boolean isHeld() {
        return heldCompleted != null;
    }
}
