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

/** Commands on a procedure's production: {@code rollback}, {@code resume}. */
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
