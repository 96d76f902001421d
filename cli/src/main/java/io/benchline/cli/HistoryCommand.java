package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;

import static io.benchline.cli.ApiClient.segment;
import static io.benchline.cli.Fields.actor;
import static io.benchline.cli.Fields.text;

/** {@code benchline history}: who moved, pinned, promoted, rolled back, resumed or deleted what, and why. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"The history of a station or a procedure, newest first: every pointer move, pin, unpin,"
                + " unlink, promote, rollback, resume and delete, with who (API key), when, why and from/to.",
                "GET /v2/stations/{id}/history or GET /v2/procedures/{id}/history (paged by cursor)."})
final class HistoryCommand extends PagedCommand {
    static final class Target {
        @Option(names = "--station", required = true, paramLabel = "STATION_ID", description = "A station's history")
        String station;

        @Option(names = "--procedure", required = true, paramLabel = "PROCEDURE_ID",
                description = "A procedure's history")
        String procedure;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Override
    int execute(ApiClient client) throws IOException {
        boolean station = target.station != null;
        String path = station ? "/v2/stations/" + segment(target.station) + "/history"
                : "/v2/procedures/" + segment(target.procedure) + "/history";
        return list(client, path, (entries, out) -> {
            if (entries.isEmpty()) {
                out.println("no history for "
                        + (station ? "station " + target.station : "procedure " + target.procedure));
                return;
            }
            Table table = new Table("AT", "ACTION", "REASON", station ? "PROCEDURE" : "STATION", "FROM", "TO",
                    "VERSION", "BY", "NOTE");
            for (JsonNode e : entries) {
                table.row(text(e, "at", null), text(e, "action", null), text(e, "reason", null),
                        text(e, station ? "procedure_id" : "station_id", null), text(e, "from_deployment_id", null),
                        text(e, "to_deployment_id", text(e, "deployment_id", null)), text(e, "pointer_version", null),
                        actor(e.path("actor"), null), text(e, "note", null));
            }
            // Entries carry the fields of their action (deployment-service's have no station, reason or version).
            out.print(table.withoutEmptyColumns(2));
        });
    }
}
