package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import static io.benchline.cli.ApiClient.segment;
import static io.benchline.cli.Fields.actor;
import static io.benchline.cli.Fields.text;

/**
 * Commands on a station's pointers and links: {@code pin}, {@code unpin}, {@code unlink}; and the {@code station}
 * group: {@code station timeline}.
 */
final class StationCommands {
    private StationCommands() {
    }

    @Command(name = "station", mixinStandardHelpOptions = true,
            description = "A station: what happened on it.",
            subcommands = {StationCommands.Timeline.class})
    static final class Station implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "timeline", mixinStandardHelpOptions = true,
            description = {"Everything that happened on a station, newest first: pointer moves (with their reason),"
                    + " pins, unpins and unlinks; what its agent did with each deployment (downloading, installing,"
                    + " staged, active, failed); runs started and finished (outcome, unit).",
                    "GET /v2/stations/{id}/timeline (paged by cursor)."})
    static final class Timeline extends PagedCommand {
        @Parameters(index = "0", paramLabel = "STATION_ID", description = "The station")
        String station;

        @Override
        int execute(ApiClient client) throws IOException {
            return list(client, "/v2/stations/" + segment(station) + "/timeline", (entries, out) -> {
                if (entries.isEmpty()) {
                    out.println("nothing on the timeline of station " + station);
                    return;
                }
                Table table = new Table("AT", "KIND", "PROCEDURE", "DEPLOYMENT", "DETAIL");
                for (JsonNode e : entries) {
                    table.row(text(e, "at", null), text(e, "kind", null), text(e, "procedure_id", null),
                            timelineDeployment(e), timelineDetail(e));
                }
                out.print(table);
            });
        }
    }

    /** {@code from → to} for a pointer change that had a deployment before (every move), else the deployment. */
    static String timelineDeployment(JsonNode entry) {
        String from = text(entry, "from_deployment_id", null);
        String to = text(entry, "deployment_id", null);
        if (from != null || "move".equals(text(entry, "kind", null))) {
            return (from == null ? "-" : from) + " → " + (to == null ? "-" : to);
        }
        return to;
    }

    /**
     * What else the entry says, in one cell: the reason (of a pointer change, of a failure), a run's outcome, unit and
     * id, who did it, then the note: {@code pin by ci: hold line 3}, {@code passed, unit SN-7, run run_…}.
     */
    static String timelineDetail(JsonNode entry) {
        List<String> parts = new ArrayList<>();
        String reason = text(entry, "reason", null);
        if (reason != null && !reason.equals(text(entry, "kind", null))) { // a pin's reason is "pin"
            parts.add(reason);
        }
        String outcome = text(entry, "outcome", null);
        if (outcome != null) {
            parts.add(outcome);
        }
        String serial = text(entry, "serial_number", null);
        if (serial != null) {
            parts.add("unit " + serial);
        }
        String run = text(entry, "run_id", null);
        if (run != null) {
            parts.add("run " + run);
        }
        String detail = String.join(", ", parts);
        String by = text(entry, "by", null);
        if (by != null) {
            detail += (detail.isEmpty() ? "" : " ") + "by " + by;
        }
        String note = text(entry, "note", null);
        if (note != null) {
            detail += (detail.isEmpty() ? "" : ": ") + note;
        }
        return detail;
    }

    @Command(name = "pin", mixinStandardHelpOptions = true,
            description = {"Pin a ready deployment to one or more stations: their pointer moves to it and automatic"
                    + " fan-out leaves it there until unpinned or replaced by another pin, a promote or a rollback.",
                    "One station: POST /v2/stations/{id}/deployments/{deployment_id}; several: POST /v2/stations/pins."})
    static final class Pin extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "DEPLOYMENT_ID", description = "The deployment to pin")
        String deploymentId;

        @Option(names = "--station", required = true, paramLabel = "STATION_ID",
                description = "A station to pin it to (repeat for several)")
        List<String> stations;

        @Option(names = "--note", description = "Why, for the history")
        String note;

        @Override
        int execute(ApiClient client) throws IOException {
            Pinned pinned = pin(client, deploymentId, stations, note);
            return show(pinned.body(), pinned::describe);
        }
    }

    /** A pin's answer and the stations it was for (duplicates dropped). */
    record Pinned(String deploymentId, List<String> stationIds, String body) {
        /** One station: the pointer; several: how many and a table STATION, FROM, POINTER VERSION. */
        void describe(JsonNode answer, PrintWriter out) {
            if (stationIds.size() == 1) {
                out.println("pinned deployment " + text(answer, "deployment_id", deploymentId) + " to station "
                        + text(answer, "station_id", stationIds.get(0)) + pointerDetails(answer));
                return;
            }
            JsonNode pointers = answer.path("pointers");
            int pinned = answer.path("pinned").isNumber() ? answer.path("pinned").asInt() : pointers.size();
            out.println("pinned deployment " + text(answer, "deployment_id", deploymentId) + " to " + pinned
                    + " station(s)");
            Table table = new Table("STATION", "FROM", "POINTER VERSION");
            for (JsonNode p : pointers) {
                table.row(text(p, "station_id", null), text(p, "from_deployment_id", null),
                        text(p, "pointer_version", null));
            }
            if (table.size() > 0) {
                out.print(table);
            }
        }
    }

    /**
     * Pins a deployment to stations: one station by its own route
     * ({@code POST /v2/stations/{id}/deployments/{deployment_id}}), several in one call
     * ({@code POST /v2/stations/pins}). Used by {@code pin} and {@code dev}.
     */
    static Pinned pin(ApiClient client, String deploymentId, List<String> stations, String note) throws IOException {
        List<String> stationIds = new ArrayList<>(new LinkedHashSet<>(stations));
        String body = stationIds.size() == 1
                ? client.post("/v2/stations/" + segment(stationIds.get(0)) + "/deployments/" + segment(deploymentId),
                        new Requests.Note(note))
                : client.post("/v2/stations/pins", new Requests.BulkPin(deploymentId, stationIds, note));
        return new Pinned(deploymentId, stationIds, body);
    }

    @Command(name = "unpin", mixinStandardHelpOptions = true,
            description = {"Release a station's pin on a deployment; automatic fan-out may move its pointer again.",
                    "DELETE /v2/stations/{id}/deployments/{deployment_id}."})
    static final class Unpin extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "DEPLOYMENT_ID", description = "The pinned deployment")
        String deploymentId;

        @Option(names = "--station", required = true, paramLabel = "STATION_ID", description = "The station")
        String station;

        @Override
        int execute(ApiClient client) throws IOException {
            String body = client.delete("/v2/stations/" + segment(station) + "/deployments/" + segment(deploymentId));
            return show(body, (pointer, out) -> out.println("unpinned deployment " + deploymentId + " from station "
                    + station + pointerDetails(pointer) + "; automatic fan-out may move the pointer again"));
        }
    }

    @Command(name = "unlink", mixinStandardHelpOptions = true,
            description = {"Unlink a procedure from a station: its pointer is cleared, the station's agent finishes a"
                    + " run in flight, then drops the procedure; runs of it are refused until it is linked again.",
                    "DELETE /v2/stations/{id}/links/{procedure_id}."})
    static final class Unlink extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "PROCEDURE_ID", description = "The linked procedure")
        String procedureId;

        @Option(names = "--station", required = true, paramLabel = "STATION_ID", description = "The station")
        String station;

        @Override
        int execute(ApiClient client) throws IOException {
            String body = client.delete("/v2/stations/" + segment(station) + "/links/" + segment(procedureId));
            return show(body, (answer, out) -> out.println("unlinked procedure " + procedureId + " from station "
                    + station + ": its pointer is cleared; the agent finishes a run in flight, then drops it"));
        }
    }

    /** {@code " (procedure P, pointer version N, pinned by X)"} from a pointer answer, or nothing. */
    static String pointerDetails(JsonNode pointer) {
        List<String> parts = new ArrayList<>();
        String procedure = text(pointer, "procedure_id", null);
        if (procedure != null) {
            parts.add("procedure " + procedure);
        }
        String version = text(pointer, "pointer_version", null);
        if (version != null) {
            parts.add("pointer version " + version);
        }
        String by = actor(pointer.path("pin").path("by"), null);
        if (by != null) {
            parts.add("pinned by " + by);
        }
        return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }
}
