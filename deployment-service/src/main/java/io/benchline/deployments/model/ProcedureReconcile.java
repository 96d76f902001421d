package io.benchline.deployments.model;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

import java.time.Instant;

/**
 * A procedure's reconciler settings (on/off, interval) and the state of its passes. The reconciler writes the state
 * under the procedure's row lock, as every other writer of the row does.
 */
@Embeddable
public class ProcedureReconcile {
    @Column(name = "reconcile_enabled")
    public boolean enabled;
    @Column(name = "reconcile_interval_seconds")
    public int intervalSeconds;
    /** When the next pass is due; null while disabled. */
    @Column(name = "reconcile_next_at")
    public Instant nextAt;
    /** The pass that claimed the procedure last: a pass applies its result only while this is still its claim. */
    @Column(name = "reconcile_claim")
    public String claim;
    /** Null until a pass recorded the heads as they were (that pass builds nothing). */
    @Column(name = "reconcile_baseline_at")
    public Instant baselineAt;
    @Column(name = "last_reconciled_at")
    public Instant lastReconciledAt;
    @Column(name = "last_reconcile_error")
    public String lastError;
    @Column(name = "last_reconcile_error_at")
    public Instant lastErrorAt;

    /**
     * Starts over: the next pass is due at {@code now} and records the heads without building (after enabling, and
     * when the procedure names another repository); a pass in flight finds its claim gone and drops its result.
     */
    public void restart(Instant now) {
        nextAt = enabled ? now : null;
        claim = null;
        baselineAt = null;
    }
}
