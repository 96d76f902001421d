package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code benchline deployments}: read deployments. */
@Command(name = "deployments", mixinStandardHelpOptions = true, description = "Deployments.",
        subcommands = DeploymentsCommand.ListDeployments.class)
public final class DeploymentsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List deployments, newest first (GET /v2/deployments), as a table.")
    static final class ListDeployments implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Option(names = "--procedure-id", description = "Only deployments of this procedure")
        String procedureId;

        @Option(names = "--status", description = "Only this status (pending, building, ready, failed)")
        String status;

        @Option(names = "--environment", description = "Only this environment (production, preview)")
        String environment;

        @Option(names = "--limit", defaultValue = "20", description = "At most this many (default: ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--json", description = "Print the raw JSON instead of a table")
        boolean json;

        @Override
        public Integer call() {
            try {
                StringBuilder path = new StringBuilder("/v2/deployments?limit=").append(limit);
                append(path, "procedure_id", procedureId);
                append(path, "status", status);
                append(path, "environment", environment);
                String body = api.client().get(path.toString());
                JsonNode page = Json.MAPPER.readTree(body);
                if (json) {
                    System.out.println(page.toPrettyString());
                    return 0;
                }
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"ID", "PROCEDURE", "ENVIRONMENT", "STATUS", "COMMIT", "BRANCH", "CREATED"});
                for (JsonNode d : page.path("data")) {
                    String sha = d.path("commit").path("sha").asText("");
                    rows.add(new String[] {d.path("id").asText(""), d.path("procedure").path("name").asText(""),
                            d.path("environment").asText(""), d.path("status").asText(""),
                            sha.length() > 10 ? sha.substring(0, 10) : sha, d.path("commit").path("branch").asText(""),
                            d.path("created_at").asText("")});
                }
                System.out.print(table(rows));
                return 0;
            } catch (Exception e) {
                System.err.println("error: " + Log.describe(e));
                return 1;
            }
        }

        private static void append(StringBuilder path, String name, String value) {
            if (value != null && !value.isBlank()) {
                path.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
    }

    static String table(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row[i] : String.format("%-" + width[i] + "s  ", row[i]));
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return out.toString();
    }
}
