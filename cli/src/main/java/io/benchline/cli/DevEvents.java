package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.function.Function;

import static io.benchline.cli.Fields.text;

/**
 * What {@code dev} tells as it goes: lines for a person, or with {@code --json} one JSON object per event on standard
 * output ({@code {"event": "created" | "ready" | "failed" | "pinned" | "session_open" | "change" | "heartbeat_failed"
 * | "session_ended" | "ended" | "error", ...}}). Called from the command's thread and the heartbeat thread.
 */
final class DevEvents {
    private final boolean json;
    private final PrintWriter out;
    private final ProgressBar progress;
    private final Function<String, String> urls;

    /** {@code urls}: a deployment id's address in the API. */
    DevEvents(boolean json, PrintWriter out, ProgressBar progress, Function<String, String> urls) {
        this.json = json;
        this.out = out;
        this.progress = progress;
        this.urls = urls;
    }

    void created(JsonNode deployment) {
        String id = text(deployment, "id", "?");
        if (json) {
            emit(event("created").put("url", urls.apply(id)).set("deployment", deployment));
            return;
        }
        String until = text(deployment, "session_expires_at", null);
        say("created development deployment " + id + " of procedure " + text(deployment, "procedure_id", "?")
                + (until == null ? "" : " (session until " + until + ")"));
    }

    void ready(SourceDeployer.Build build) {
        String id = text(build.deployment(), "id", "?");
        if (json) {
            emit(event("ready").put("url", urls.apply(id)).set("deployment", build.deployment()));
            return;
        }
        say("deployment " + id + " ready: " + urls.apply(id));
    }

    void failed(SourceDeployer.Build build) {
        String id = text(build.deployment(), "id", "?");
        if (json) {
            emit(event("failed").set("deployment", build.deployment()));
            return;
        }
        String reason = build.failureReason();
        say("deployment " + id + " " + build.status() + (reason == null ? "" : ": " + reason));
    }

    void pinned(StationCommands.Pinned pinned, JsonNode answer) {
        if (json) {
            ObjectNode event = event("pinned").put("deployment_id", pinned.deploymentId());
            pinned.stationIds().forEach(event.putArray("station_ids")::add);
            emit(event.set("answer", answer));
            return;
        }
        StringWriter text = new StringWriter();
        pinned.describe(answer, new PrintWriter(text));
        say(text.toString().stripTrailing());
    }

    /** The session is open and kept alive ({@code deploymentId} null: none, after a failed build, while watching). */
    void sessionOpen(String deploymentId, Duration heartbeat, String watching) {
        if (json) {
            emit(event("session_open").put("deployment_id", deploymentId)
                    .put("heartbeat_seconds", heartbeat.toSeconds()).put("watching", watching));
            return;
        }
        if (deploymentId == null) {
            say("no development deployment is running; watching " + watching + " for changes; Ctrl-C ends");
            return;
        }
        say("development session of deployment " + deploymentId + " open: heartbeat every " + heartbeat.toSeconds()
                + " s" + (watching == null ? "" : "; watching " + watching + " for changes")
                + "; Ctrl-C ends it");
    }

    void change(String dir) {
        if (json) {
            emit(event("change").put("dir", dir));
            return;
        }
        say("changes in " + dir + ": deploying again");
    }

    void heartbeatFailed(String deploymentId, String error, Duration retryIn) {
        if (json) {
            emit(event("heartbeat_failed").put("deployment_id", deploymentId).put("error", error)
                    .put("retry_in_seconds", retryIn.toSeconds()));
            return;
        }
        progress.note("heartbeat of deployment " + deploymentId + " failed: " + error + "; retrying in "
                + retryIn.toSeconds() + " s");
    }

    void sessionEnded(String deploymentId, RequestFailed answer) {
        if (json) {
            ObjectNode event = event("session_ended").put("deployment_id", deploymentId)
                    .put("status", answer.status());
            emit(answer.problem() == null ? event : event.set("problem", answer.problem()));
            return;
        }
        progress.note("the server ended the development session of deployment " + deploymentId + ": "
                + answer.lines().get(0).replaceFirst("^error: ", ""));
    }

    void ended(String deploymentId) {
        if (json) {
            emit(event("ended").put("deployment_id", deploymentId));
            return;
        }
        say("ended the development session of deployment " + deploymentId);
    }

    /** Something failed that the session survives (a redeploy, a session that would not end). */
    void failure(String what, Exception e) {
        if (json) {
            ObjectNode event = event("error").put("message", what + ": " + Log.describe(e));
            if (e instanceof RequestFailed refused && refused.problem() != null) {
                event.set("problem", refused.problem());
            }
            emit(event);
            return;
        }
        if (e instanceof RequestFailed refused) {
            progress.note(what + ":");
            refused.lines().forEach(progress::note);
        } else {
            progress.note(what + ": " + Log.describe(e));
        }
    }

    private ObjectNode event(String name) {
        return Json.MAPPER.createObjectNode().put("event", name);
    }

    private synchronized void emit(JsonNode event) {
        progress.println(out, event.toString());
    }

    private synchronized void say(String line) {
        progress.println(out, line);
    }
}
