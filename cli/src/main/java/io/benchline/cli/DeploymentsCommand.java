package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;

import static io.benchline.cli.Fields.shortSha;
import static io.benchline.cli.Fields.text;

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
    static final class ListDeployments extends ApiCommand.WithJson {
        @Option(names = "--procedure-id", description = "Only deployments of this procedure")
        String procedureId;

        @Option(names = "--status", description = "Only this status (pending, building, ready, failed)")
        String status;

        @Option(names = "--environment", description = "Only this environment (production, preview)")
        String environment;

        @Option(names = "--limit", defaultValue = "20", description = "At most this many (default: ${DEFAULT-VALUE})")
        int limit;

        @Override
        int execute(ApiClient client) throws IOException {
            StringBuilder path = new StringBuilder("/v2/deployments?limit=").append(limit);
            append(path, "procedure_id", procedureId);
            append(path, "status", status);
            append(path, "environment", environment);
            return show(client.get(path.toString()), (page, out) -> {
                Table table = new Table("ID", "PROCEDURE", "ENVIRONMENT", "STATUS", "COMMIT", "BRANCH", "CREATED");
                for (JsonNode d : page.path("data")) {
                    String sha = text(d.path("commit"), "sha", "");
                    table.row(text(d, "id", ""), text(d.path("procedure"), "name", ""), text(d, "environment", ""),
                            text(d, "status", ""), shortSha(sha),
                            text(d.path("commit"), "branch", ""), text(d, "created_at", ""));
                }
                out.print(table);
            });
        }

        private static void append(StringBuilder path, String name, String value) {
            if (value != null && !value.isBlank()) {
                path.append('&').append(name).append('=').append(ApiClient.query(value));
            }
        }
    }
}
