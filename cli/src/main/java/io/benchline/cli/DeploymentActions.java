package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;

import static io.benchline.cli.ApiClient.segment;
import static io.benchline.cli.Fields.shortSha;
import static io.benchline.cli.Fields.text;

/** Commands on one deployment: {@code promote}, {@code delete}, {@code rerun}. */
final class DeploymentActions {
    private DeploymentActions() {
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = {"Promote a ready preview deployment to production: a new production deployment with the"
                    + " same artifact (no rebuild) that fans out like a production build and ends a rollback pause.",
                    "POST /v2/deployments/{id}/promote."})
    static final class Promote extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "DEPLOYMENT_ID", description = "The preview deployment")
        String deploymentId;

        @Option(names = "--note", description = "Why, for the history")
        String note;

        @Override
        int execute(ApiClient client) throws IOException {
            String body = client.post("/v2/deployments/" + segment(deploymentId) + "/promote",
                    new Requests.Note(note));
            return show(body, (d, out) -> {
                out.println("promoted deployment " + text(d, "promoted_from", deploymentId) + " to production: "
                        + "deployment " + text(d, "id", "?"));
                describe(d, out);
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete a deployment for good: its record, logs and (once no other deployment shares"
                    + " them) its artifact bytes. Refused (exit 4, the stations listed) while any station points at"
                    + " it or pins it. Asks for confirmation unless --yes; not on a terminal, --yes is required.",
                    "DELETE /v2/deployments/{id}."})
    static final class Delete extends ApiCommand.WithJson {
        @ParentCommand
        Main main;

        @Parameters(index = "0", paramLabel = "DEPLOYMENT_ID", description = "The deployment to delete")
        String deploymentId;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation")
        boolean yes;

        @Override
        int execute(ApiClient client) throws IOException {
            String path = "/v2/deployments/" + segment(deploymentId);
            if (!Confirmation.given(main.terminal(), yes, err(), "deleting deployment " + deploymentId, "delete",
                    () -> "Delete deployment " + deploymentId + " (" + summary(parse(client.get(path)))
                            + ") for good? This cannot be undone.", "not deleted")) {
                return Exit.USAGE;
            }
            return show(client.delete(path), (answer, out) -> out.println("deleted deployment " + deploymentId));
        }

        private static String summary(JsonNode d) {
            String sha = text(d.path("commit"), "sha", "");
            return "procedure " + text(d.path("procedure"), "name", text(d.path("procedure"), "id", "?")) + ", "
                    + text(d, "environment", "?") + ", " + text(d, "status", "?")
                    + (sha.isEmpty() ? "" : ", commit " + (shortSha(sha)));
        }
    }

    @Command(name = "rerun", mixinStandardHelpOptions = true,
            description = {"Build the commit of a failed deployment again, as a new deployment (retry_of). Refused"
                    + " (exit 4) for a deployment that did not fail.", "POST /v2/deployments/{id}/rerun."})
    static final class Rerun extends ApiCommand.WithJson {
        @Parameters(index = "0", paramLabel = "DEPLOYMENT_ID", description = "The failed deployment")
        String deploymentId;

        @Override
        int execute(ApiClient client) throws IOException {
            String body = client.post("/v2/deployments/" + segment(deploymentId) + "/rerun", null);
            return show(body, (d, out) -> {
                out.println("re-running deployment " + text(d, "retry_of", deploymentId) + " as deployment "
                        + text(d, "id", "?"));
                describe(d, out);
            });
        }
    }

    /** The lines that say what a deployment is. */
    static void describe(JsonNode d, PrintWriter out) {
        out.println("  procedure:   " + text(d.path("procedure"), "name", "?") + " ("
                + text(d.path("procedure"), "id", "?") + ")");
        out.println("  environment: " + text(d, "environment", "?"));
        out.println("  status:      " + text(d, "status", "?"));
        String sha = text(d.path("commit"), "sha", null);
        if (sha != null) {
            out.println("  commit:      " + sha + " (" + text(d.path("commit"), "branch", "?") + ")");
        }
    }
}
