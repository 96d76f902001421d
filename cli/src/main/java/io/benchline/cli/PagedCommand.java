package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.benchline.cli.Fields.text;

/**
 * A command that lists a cursor-paged collection ({@code GET path?limit=&cursor=} answering
 * {@code {data, next_cursor}}): {@code --limit} is the page size, {@code --all} follows {@code next_cursor} to the
 * last entry. {@code history} and {@code station timeline} (newest first), {@code rollout stations} (by rank).
 */
abstract class PagedCommand extends ApiCommand.WithJson {
    @Option(names = "--limit", defaultValue = "50",
            description = "Entries per page (default: ${DEFAULT-VALUE}); without --all only the first page")
    int limit;

    @Option(names = "--all", description = "Follow next_cursor to the last entry (with --json: one {data:[...]})")
    boolean all;

    /** Prints the entries read, in the server's order (never with --json); {@code entries} may be empty. */
    @FunctionalInterface
    interface Entries {
        void print(List<JsonNode> entries, PrintWriter out);
    }

    /**
     * Reads the first page of {@code path} (which may carry a query of its own) and, with --all, every next one.
     * With --json: the first page as is, or
     * with --all every entry in one {@code {data, next_cursor: null}}; else {@code human} prints the entries, and a
     * hint on standard error says when there are older ones.
     */
    int list(ApiClient client, String path, Entries human) throws IOException {
        if (limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1");
        }
        String paged = path + (path.contains("?") ? "&" : "?") + "limit=" + limit;
        String first = client.get(paged);
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
            JsonNode next = parse(client.get(paged + "&cursor=" + ApiClient.query(cursor)));
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
        List<JsonNode> read = new ArrayList<>();
        entries.forEach(read::add);
        human.print(read, out());
        if (cursor != null) {
            err().println("(" + more() + ": --all, or a larger --limit)");
        }
        return Exit.OK;
    }

    /** What the pages after the first hold, for the hint: {@code older entries} unless a listing says otherwise. */
    String more() {
        return "older entries";
    }
}
