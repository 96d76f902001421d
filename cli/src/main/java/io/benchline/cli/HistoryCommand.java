package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import static io.benchline.cli.ApiClient.segment;
import static io.benchline.cli.Fields.actor;
import static io.benchline.cli.Fields.text;

/** {@code benchline history}: who moved, pinned, promoted, rolled back, resumed or deleted what, and why. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"The history of a station or a procedure, newest first: every pointer move, pin, unpin,"
                + " unlink, promote, rollback, resume and delete, with who (API key), when, why and from/to.",
                "GET /v2/stations/{id}/history or GET /v2/procedures/{id}/history (paged by cursor)."})
final class HistoryCommand extends ApiCommand.WithJson {
    static final class Target {
        @Option(names = "--station", required = true, paramLabel = "STATION_ID", description = "A station's history")
        String station;

        @Option(names = "--procedure", required = true, paramLabel = "PROCEDURE_ID",
                description = "A procedure's history")
        String procedure;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--limit", defaultValue = "50",
            description = "Entries per page (default: ${DEFAULT-VALUE}); without --all only the first page")
    int limit;

    @Option(names = "--all", description = "Follow next_cursor to the oldest entry (with --json: one {data:[...]})")
    boolean all;

    @Override
    int execute(ApiClient client) throws IOException {
        if (limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1");
        }
        boolean station = target.station != null;
        String base = station ? "/v2/stations/" + segment(target.station) + "/history"
                : "/v2/procedures/" + segment(target.procedure) + "/history";
        String first = client.get(base + "?limit=" + limit);
        if (!all && json) {
            printJson(first);
            return Exit.OK;
        }
        JsonNode page = parse(first);
        ArrayNode entries = Json.MAPPER.createArrayNode();
        page.path("data").forEach(entries::add);
        String cursor = text(page, "next_cursor", null);
        Set<String> seen = new HashSet<>();
        while (all && cursor != null) {
            if (!seen.add(cursor)) {
                err().println("error: the server answered the cursor " + cursor + " twice; stopping");
                return Exit.FAILED;
            }
            JsonNode next = parse(client.get(base + "?limit=" + limit + "&cursor=" + ApiClient.query(cursor)));
            next.path("data").forEach(entries::add);
            cursor = text(next, "next_cursor", null);
        }
        if (json) {
            ObjectNode combined = Json.MAPPER.createObjectNode();
            combined.set("data", entries);
            combined.putNull("next_cursor");
            printJson(combined.toString());
            return Exit.OK;
        }
        if (entries.isEmpty()) {
            out().println("no history for " + (station ? "station " + target.station : "procedure " + target.procedure));
            return Exit.OK;
        }
        Table table = new Table("AT", "ACTION", "REASON", station ? "PROCEDURE" : "STATION", "FROM", "TO", "VERSION",
                "BY", "NOTE");
        for (JsonNode e : entries) {
            table.row(text(e, "at", null), text(e, "action", null), text(e, "reason", null),
                    text(e, station ? "procedure_id" : "station_id", null), text(e, "from_deployment_id", null),
                    text(e, "to_deployment_id", text(e, "deployment_id", null)), text(e, "pointer_version", null),
                    actor(e.path("actor"), null), text(e, "note", null));
        }
        // Entries carry the fields of their action (deployment-service's have no station, reason or version).
        out().print(table.withoutEmptyColumns(2));
        if (cursor != null) {
            err().println("(older entries: --all, or a larger --limit)");
        }
        return Exit.OK;
    }
}
