package io.benchline.deployments.app;

import io.benchline.common.api.DomainError;

import java.util.List;
import java.util.Map;

/**
 * The rules of promote, rollback, resume and delete, each a named error. Use cases throw them; the category decides
 * the HTTP status in {@code ProblemMapper}.
 */
public final class ManagementErrors {
    private ManagementErrors() {
    }

    private abstract static class Conflict extends DomainError {
        private final String kind;

        Conflict(String kind, String detail) {
            super(detail);
            this.kind = kind;
        }

        @Override
        public Category category() {
            return Category.CONFLICT;
        }

        @Override
        public String kind() {
            return kind;
        }
    }

    /** Only a ready preview deployment can be promoted. */
    public static final class NotPromotable extends Conflict {
        public NotPromotable(String deploymentId, String why) {
            super("not-promotable", "deployment " + deploymentId + " cannot be promoted: " + why);
        }
    }

    /** A rollback target must be a ready production deployment that once ran on stations. */
    public static final class NotARollbackTarget extends Conflict {
        public NotARollbackTarget(String deploymentId, String why) {
            super("not-a-rollback-target", "deployment " + deploymentId + " cannot be a rollback target: " + why);
        }
    }

    /** Resume of a procedure that is not paused. */
    public static final class NotPaused extends Conflict {
        public NotPaused(String procedureId) {
            super("not-paused", "procedure " + procedureId + " is not paused; auto-push is running");
        }
    }

    /** A deployment being deleted takes part in nothing any more. */
    public static final class BeingDeleted extends Conflict {
        public BeingDeleted(String deploymentId) {
            super("being-deleted", "deployment " + deploymentId + " is being deleted");
        }
    }

    /** A deployment that is still building cannot be deleted yet. */
    public static final class StillBuilding extends Conflict {
        public StillBuilding(String deploymentId, String status) {
            super("still-building", "deployment " + deploymentId + " is " + status
                    + "; it can be deleted once its build is ready or failed");
        }
    }

    /** The procedure's stations are held on this deployment by a rollback; resume or promote first. */
    public static final class RollbackTarget extends Conflict {
        public RollbackTarget(String deploymentId, String procedureId) {
            super("rollback-target", "deployment " + deploymentId + " is the rollback target of paused procedure "
                    + procedureId + "; resume the procedure or promote another deployment first");
        }
    }

    /** Delete refused by station-dispatcher: pointers name the deployment (invariant 6). */
    public static final class DeploymentInUse extends Conflict {
        private final List<String> stations;
        private final long count;

        public DeploymentInUse(String detail, List<String> stations, long count) {
            super("deployment-in-use", detail);
            this.stations = stations;
            this.count = count;
        }

        @Override
        public Map<String, Object> extensions() {
            return Map.of("stations", stations, "station_count", count);
        }
    }

    /** A peer needed to complete the request did not answer; nothing was changed. */
    public static final class PeerUnavailable extends DomainError {
        public PeerUnavailable(String detail) {
            super(detail);
        }

        @Override
        public Category category() {
            return Category.UNAVAILABLE;
        }

        @Override
        public String kind() {
            return "unavailable";
        }
    }
}
