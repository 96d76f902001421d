package io.benchline.stations.app;

import io.benchline.common.api.DomainError;

import java.util.List;
import java.util.Map;

/**
 * The rules of /v2/stations that a request can break, each a named error. Use cases throw them; their category
 * decides the HTTP status in {@code ProblemMapper}, never the use case.
 */
public final class StationErrors {
    private StationErrors() {
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

    /** Only a ready, not deleted deployment with an artifact can be pointed at (invariant 6). */
    public static final class DeploymentNotDeployable extends Conflict {
        public DeploymentNotDeployable(String deploymentId, String why) {
            super("deployment-not-deployable", "deployment " + deploymentId + " cannot be pinned: " + why);
        }
    }

    /** A preview deployment never reaches a production link except through promote (invariant 7). */
    public static final class PromoteFirst extends Conflict {
        private final List<String> stations;

        public PromoteFirst(String deploymentId, List<String> stations) {
            super("promote-first", "deployment " + deploymentId + " is a preview deployment and station(s) "
                    + String.join(", ", stations) + " follow production: a preview reaches production stations only"
                    + " through promote; promote it first");
            this.stations = stations;
        }

        @Override
        public Map<String, Object> extensions() {
            return Map.of("stations", stations);
        }
    }

    /** A preview link follows one branch, and takes only that branch's preview deployments (invariant 7). */
    public static final class WrongEnvironment extends Conflict {
        private final List<String> stations;

        public WrongEnvironment(String deploymentId, List<String> stations, String why) {
            super("wrong-environment", "deployment " + deploymentId + " does not fit the link of station(s) "
                    + String.join(", ", stations) + ": " + why);
            this.stations = stations;
        }

        @Override
        public Map<String, Object> extensions() {
            return Map.of("stations", stations);
        }
    }

    /** The station has no link to the procedure. */
    public static final class NotLinked extends Conflict {
        private final List<String> stations;

        public NotLinked(String procedureId, List<String> stations) {
            super("not-linked", "station(s) " + String.join(", ", stations) + " are not linked to procedure "
                    + procedureId);
            this.stations = stations;
        }

        @Override
        public Map<String, Object> extensions() {
            return Map.of("stations", stations);
        }
    }

    /** A station is linked already; a second link of the same procedure is refused. */
    public static final class AlreadyLinked extends Conflict {
        public AlreadyLinked(String stationId, String procedureId) {
            super("already-linked", "station " + stationId + " is linked to procedure " + procedureId + " already");
        }
    }

    /** A run of a linked procedure that has no deployment yet: refused rather than left waiting. */
    public static final class NoDeploymentYet extends Conflict {
        public NoDeploymentYet(String stationId, String procedureId) {
            super("no-deployment-yet", "station " + stationId + " has no deployment of procedure " + procedureId
                    + " yet; a run can be requested once one is ready and assigned");
        }
    }

    /** Unpin names a deployment the station is not pinned to. */
    public static final class NotPinned extends Conflict {
        public NotPinned(String stationId, String deploymentId) {
            super("not-pinned", "station " + stationId + " is not pinned to deployment " + deploymentId);
        }
    }

    /** A station name is unique in its organization. */
    public static final class StationNameTaken extends Conflict {
        public StationNameTaken(String name) {
            super("station-name-taken", "a station named " + name + " exists already");
        }
    }

    /** Delete is refused while a pointer names the deployment (invariant 6); the stations are listed. */
    public static final class DeploymentInUse extends Conflict {
        private final List<String> stations;
        private final long count;

        public DeploymentInUse(String deploymentId, List<String> stations, long count) {
            super("deployment-in-use", "deployment " + deploymentId + " is assigned to " + count + " station(s) ("
                    + String.join(", ", stations) + (count > stations.size() ? ", ..." : "")
                    + "); pin, promote or roll back those stations to another deployment first");
            this.stations = stations;
            this.count = count;
        }

        @Override
        public Map<String, Object> extensions() {
            return Map.of("stations", stations, "station_count", count);
        }
    }

    /** A bulk request names more stations than one call may. */
    public static final class TooManyStations extends DomainError {
        public TooManyStations(int max) {
            super("station_ids: at most " + max + " stations per call");
        }

        @Override
        public Category category() {
            return Category.INVALID;
        }

        @Override
        public String kind() {
            return "invalid-request";
        }
    }
}
