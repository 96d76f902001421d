package io.benchline.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.qute.TemplateData;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.benchline.dashboard.web.Views.text;

/**
 * What the Stations, Settings, History and API keys pages show, mapped explicitly from the API's JSON (snake_case):
 * station-dispatcher's {@code /v2/stations} and station settings, deployment-service's procedures, history and keys.
 */
final class ManagementViews {
    /** What a finished action says on the page it lands on ({@code ?done=}); fixed texts, never from the URL. */
    private static final Map<String, String> DONE = Map.of(
            "unpinned", "Unpinned: the pointer follows its procedure again.",
            "run-requested", "Run requested: the station starts it when it next asks for work.",
            "saved", "The settings were saved.",
            "unchanged", "Nothing was changed: the form had the values the procedure already has.",
            "resumed", "Auto-push resumed: new pushes to the production branch deploy again.",
            "station-settings-saved", "The station settings were saved; agents learn them with their next"
                    + " assignments.",
            "revoked", "The key was revoked: the API refuses it from now on.");

    private ManagementViews() {
    }

    /** The message of a finished action, for {@code ?done=}; null for none or an unknown one. */
    static String done(String code) {
        return code == null ? null : DONE.get(code);
    }

    /** Who did something: {@code {key_id, name}}; the name, else the key id, else null. */
    static String actor(JsonNode by) {
        return text(by, "name", text(by, "key_id", null));
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** A row of the stations list. */
    @TemplateData
    record StationRow(String id, String name, boolean development, Views.Stamp lastSeen, int links, int pointers) {
        static StationRow of(JsonNode s) {
            return new StationRow(s.path("id").asText(), text(s, "name", s.path("id").asText()),
                    s.path("development").asBoolean(), Views.Stamp.of(s.path("last_seen_at")), s.path("links").size(),
                    s.path("pointers").size());
        }
    }

    /** A station with its links and pointers; procedure names from {@code names} (id when unknown). */
    @TemplateData
    record Station(String id, String name, boolean development, Views.Stamp created, Views.Stamp lastSeen,
            List<Link> links, List<Pointer> pointers, List<Views.Option> runnable) {
        static Station of(JsonNode s, Map<String, String> names, boolean member) {
            List<Link> links = new ArrayList<>();
            s.path("links").forEach(l -> links.add(Link.of(l, names)));
            List<Pointer> pointers = new ArrayList<>();
            s.path("pointers").forEach(p -> pointers.add(Pointer.of(p, names, member)));
            // A run can be asked for on a linked procedure whose pointer names a deployment.
            List<Views.Option> runnable = new ArrayList<>();
            pointers.stream().filter(p -> p.deploymentId() != null)
                    .filter(p -> links.stream().anyMatch(l -> l.procedureId().equals(p.procedureId())))
                    .forEach(p -> runnable.add(new Views.Option(p.procedureId(), p.procedureName(),
                            runnable.isEmpty())));
            return new Station(s.path("id").asText(), text(s, "name", s.path("id").asText()),
                    s.path("development").asBoolean(), Views.Stamp.of(s.path("created_at")),
                    Views.Stamp.of(s.path("last_seen_at")), links, pointers, runnable);
        }
    }

    @TemplateData
    record Link(String procedureId, String procedureName, String environment, String branch, Views.Stamp created) {
        static Link of(JsonNode l, Map<String, String> names) {
            String procedure = l.path("procedure_id").asText();
            return new Link(procedure, names.getOrDefault(procedure, procedure), text(l, "environment", "–"),
                    text(l, "branch", null), Views.Stamp.of(l.path("created_at")));
        }
    }

    /**
     * What a station runs for one procedure: the desired deployment (the pointer), what the agent reports running,
     * the pin and what the agent last said it does; Unpin for a member on a pinned pointer.
     */
    @TemplateData
    record Pointer(String procedureId, String procedureName, String deploymentId, Long sequence, long pointerVersion,
            Views.Stamp moved, String actualDeploymentId, Views.Stamp actualReported, boolean inSync, boolean pinned,
            Views.Stamp pinnedSince, String pinnedBy, String agentState, String agentDeploymentId, String agentReason,
            Views.Stamp agentAt, Views.Stamp stagedSince, boolean canUnpin) {
        static Pointer of(JsonNode p, Map<String, String> names, boolean member) {
            String procedure = p.path("procedure_id").asText();
            String desired = text(p, "deployment_id", null);
            String actual = text(p, "actual_deployment_id", null);
            JsonNode pin = p.path("pin");
            JsonNode agent = p.path("agent_state");
            boolean pinned = p.path("pinned").asBoolean();
            return new Pointer(procedure, names.getOrDefault(procedure, procedure), desired,
                    p.path("sequence").isNumber() ? p.path("sequence").asLong() : null,
                    p.path("pointer_version").asLong(), Views.Stamp.of(p.path("moved_at")), actual,
                    Views.Stamp.of(p.path("actual_reported_at")), desired != null && desired.equals(actual), pinned,
                    Views.Stamp.of(pin.path("since")), actor(pin.path("by")), text(agent, "state", null),
                    text(agent, "deployment_id", null), text(agent, "reason", null), Views.Stamp.of(agent.path("at")),
                    Views.Stamp.of(p.path("staged_since")), member && pinned && desired != null);
        }
    }

    /** One entry of a station's timeline; only the fields of its kind are set. */
    @TemplateData
    record TimelineEntry(Views.Stamp at, String kind, String reason, String procedureId, String fromDeploymentId,
            String deploymentId, Long pointerVersion, String by, String note, String outcome, String runId,
            String serialNumber) {
        static TimelineEntry of(JsonNode e) {
            return new TimelineEntry(Views.Stamp.of(e.path("at")), text(e, "kind", "?"), text(e, "reason", null),
                    text(e, "procedure_id", null), text(e, "from_deployment_id", null), text(e, "deployment_id", null),
                    e.path("pointer_version").isNumber() ? e.path("pointer_version").asLong() : null,
                    text(e, "by", null), text(e, "note", null), text(e, "outcome", null), text(e, "run_id", null),
                    text(e, "serial_number", null));
        }
    }

    /** A run of the station ({@code GET /v2/stations/{id}/runs}). */
    @TemplateData
    record StationRun(String id, String procedureId, String deploymentId, String status, String outcome,
            String serialNumber, Views.Stamp started, Views.Stamp finished, String duration) {
        static StationRun of(JsonNode r) {
            String status = text(r, "status", "running");
            return new StationRun(r.path("id").asText(), text(r, "procedure_id", null), text(r, "deployment_id", null),
                    status, text(r, "outcome", status), text(r, "serial_number", null),
                    Views.Stamp.of(r.path("started_at")), Views.Stamp.of(r.path("finished_at")),
                    Views.duration(r.path("duration_ms")));
        }
    }

    /** A procedure's settings as {@code GET /v2/procedures/{id}} shows them (ProcedureResponse). */
    @TemplateData
    record ProcedureSettings(String id, String name, boolean hasRepository, String provider, String cloneUrl,
            String fullName, boolean hasCredentials, String credentialsType, Views.Stamp credentialsUpdated,
            String productionBranch, boolean autoPush, List<String> excludedBranches, String excludedText,
            String webhookId, String githubUrl, String gitlabUrl, boolean paused, Views.Stamp pausedSince,
            String pausedBy, String pausedReason, String pausedNote, String rollbackDeploymentId,
            boolean reconcileEnabled, String reconcileInterval, Views.Stamp lastReconciled, String reconcileError,
            Views.Stamp reconcileErrorAt, Views.Stamp created, Views.Stamp updated) {
        static ProcedureSettings of(JsonNode p) {
            JsonNode repo = p.path("repository");
            JsonNode hook = p.path("webhook");
            JsonNode paused = p.path("paused");
            JsonNode reconcile = p.path("reconcile");
            JsonNode error = reconcile.path("last_error");
            List<String> excluded = strings(p.path("excluded_branches"));
            return new ProcedureSettings(p.path("id").asText(), p.path("name").asText(), repo.isObject(),
                    text(repo, "provider", null), text(repo, "clone_url", null), text(repo, "full_name", null),
                    repo.path("has_credentials").asBoolean(), text(repo, "credentials_type", null),
                    Views.Stamp.of(repo.path("credentials_updated_at")), text(p, "production_branch", null),
                    p.path("auto_push").asBoolean(), excluded, String.join("\n", excluded), text(hook, "id", null),
                    text(hook, "github_url", null), text(hook, "gitlab_url", null), paused.isObject(),
                    Views.Stamp.of(paused.path("since")), actor(paused.path("by")), text(paused, "reason", null),
                    text(paused, "note", null), text(paused, "rollback_deployment_id", null),
                    reconcile.path("enabled").asBoolean(), text(reconcile, "interval", null),
                    Views.Stamp.of(reconcile.path("last_reconciled_at")), text(error, "message", null),
                    Views.Stamp.of(error.path("at")), Views.Stamp.of(p.path("created_at")),
                    Views.Stamp.of(p.path("updated_at")));
        }
    }

    /** How the procedure's stations switch to a staged deployment; {@code defaults}: the service's own apply. */
    @TemplateData
    record StationSettings(long idleWindowSeconds, long maxDeferralSeconds, boolean defaults) {
        static StationSettings of(JsonNode s) {
            return new StationSettings(s.path("idle_window_seconds").asLong(), s.path("max_deferral_seconds").asLong(),
                    s.path("defaults").asBoolean());
        }
    }

    /** One entry of a procedure's history: promote, rollback, resume, delete, rerun. */
    @TemplateData
    record HistoryEntry(String id, Views.Stamp at, String action, String deploymentId, String fromDeploymentId,
            String by, String byKeyId, String note) {
        static HistoryEntry of(JsonNode h) {
            return new HistoryEntry(h.path("id").asText(), Views.Stamp.of(h.path("at")), text(h, "action", "?"),
                    text(h, "deployment_id", null), text(h, "from_deployment_id", null), actor(h.path("actor")),
                    text(h.path("actor"), "key_id", null), text(h, "note", null));
        }
    }

    /** An API key as the list shows it (never its secret); revoked keys stay listed, without Revoke. */
    @TemplateData
    record ApiKey(String id, String name, String role, Views.Stamp created, String createdBy, Views.Stamp revoked) {
        static ApiKey of(JsonNode k) {
            return new ApiKey(k.path("id").asText(), text(k, "name", ""), text(k, "role", "?"),
                    Views.Stamp.of(k.path("created_at")), actor(k.path("created_by")),
                    Views.Stamp.of(k.path("revoked_at")));
        }

        public boolean active() {
            return revoked == null;
        }
    }

    /** The answer to a create: the only time the secret is shown. */
    @TemplateData
    record CreatedKey(String id, String name, String role, Views.Stamp created, String secret) {
        static CreatedKey of(JsonNode k) {
            return new CreatedKey(k.path("id").asText(), text(k, "name", ""), text(k, "role", "?"),
                    Views.Stamp.of(k.path("created_at")), text(k, "secret", ""));
        }
    }
}
