package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;

import static io.benchline.cli.ApiClient.segment;
import static io.benchline.cli.Fields.actor;
import static io.benchline.cli.Fields.text;

/** Commands on a procedure's production: {@code rollback}, {@code resume}, {@code station-settings}. */
final class ProcedureCommands {
    private ProcedureCommands() {
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = {"Point every production station of a procedure at an earlier deployment that once ran in"
                    + " production; stations swap between runs. Auto-push pauses until 'benchline resume' or the"
                    + " next promote (pushes still build).", "POST /v2/procedures/{id}/rollback."})
    static final class Rollback extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "PROCEDURE_ID", description = "The procedure")
        String procedureId;

        @Option(names = "--to", required = true, paramLabel = "DEPLOYMENT_ID",
                description = "The earlier production deployment to go back to")
        String deploymentId;

        @Option(names = "--note", description = "Why, for the history")
        String note;

        @Override
        int execute(ApiClient client) throws IOException {
            String body = client.post("/v2/procedures/" + segment(procedureId) + "/rollback",
                    new Requests.Rollback(deploymentId, note));
            return show(body, (p, out) -> {
                out.println("rolling procedure " + name(p, procedureId) + " back to deployment "
                        + text(p.path("paused"), "rollback_deployment_id", deploymentId)
                        + ": its production stations swap to it between runs");
                paused(p, out);
                out.println("resume auto-push with: benchline resume " + text(p, "id", procedureId));
            });
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = {"End a rollback pause: production deployments fan out again.",
                    "POST /v2/procedures/{id}/resume."})
    static final class Resume extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "PROCEDURE_ID", description = "The paused procedure")
        String procedureId;

        @Option(names = "--note", description = "Why, for the history")
        String note;

        @Override
        int execute(ApiClient client) throws IOException {
            String body = client.post("/v2/procedures/" + segment(procedureId) + "/resume", new Requests.Note(note));
            return show(body, (p, out) -> {
                if (p.path("paused").isObject()) {
                    out.println("procedure " + name(p, procedureId) + " is still paused");
                    paused(p, out);
                } else {
                    out.println("resumed procedure " + name(p, procedureId) + ": auto-push is no longer paused");
                }
            });
        }
    }

    @Command(name = "station-settings", mixinStandardHelpOptions = true,
            description = {"Show or change how a procedure's stations switch to a staged deployment: once idle for"
                    + " the idle window (no run in progress or ended within it), or, staged longer than the max"
                    + " deferral, by draining (no new run until the one in flight ended and the switch is done).",
                    "GET, PUT or DELETE /v2/procedures/{id}/station-settings."})
    static final class StationSettings extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "PROCEDURE_ID", description = "The procedure")
        String procedureId;

        @Option(names = "--idle-window", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "How long a station must be idle before it switches, e.g. 0s, 2m")
        java.time.Duration idleWindow;

        @Option(names = "--max-deferral", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "How long a staged deployment may wait for an idle window before the station drains,"
                        + " e.g. 30m, 4h")
        java.time.Duration maxDeferral;

        @Option(names = "--reset", description = "Back to the service's defaults")
        boolean reset;

        @Override
        int execute(ApiClient client) throws IOException {
            String path = "/v2/procedures/" + segment(procedureId) + "/station-settings";
            if (reset && (idleWindow != null || maxDeferral != null)) {
                throw new UsageError("--reset takes no --idle-window or --max-deferral");
            }
            if (reset) {
                client.delete(path);
            } else if (idleWindow != null || maxDeferral != null) {
                JsonNode now = Json.MAPPER.readTree(client.get(path));
                client.send("PUT", path, java.util.Map.of(
                        "idle_window_seconds", idleWindow != null ? idleWindow.toSeconds()
                                : now.path("idle_window_seconds").asLong(),
                        "max_deferral_seconds", maxDeferral != null ? maxDeferral.toSeconds()
                                : now.path("max_deferral_seconds").asLong()));
            }
            return show(client.get(path), (s, out) -> out.println("procedure " + procedureId + ": idle window "
                    + s.path("idle_window_seconds").asLong() + " s, max deferral "
                    + s.path("max_deferral_seconds").asLong() + " s"
                    + (s.path("defaults").asBoolean() ? " (the service's defaults)" : "")));
        }
    }

    /** {@code name (id)} of a procedure answer. */
    private static String name(JsonNode p, String id) {
        String name = text(p, "name", null);
        String procedureId = text(p, "id", id);
        return name == null ? procedureId : name + " (" + procedureId + ")";
    }

    /** The pause: since when, by whom, why. */
    private static void paused(JsonNode p, PrintWriter out) {
        JsonNode paused = p.path("paused");
        if (!paused.isObject()) {
            return;
        }
        String note = text(paused, "note", null);
        out.println("auto-push paused since " + text(paused, "since", "?") + " by "
                + actor(paused.path("by"), "?") + ": " + text(paused, "reason", "?")
                + (note == null ? "" : " (note: " + note + ")"));
    }
}
