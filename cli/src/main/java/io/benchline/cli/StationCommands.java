package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
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

/** Commands on a station's pointers and links: {@code pin}, {@code unpin}, {@code unlink}. */
final class StationCommands {
    private StationCommands() {
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
