package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.cli.source.SourceTree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Path;

import static io.benchline.cli.Fields.text;

/** {@code benchline deploy [DIR]}: pack a directory, upload it, build it as a preview (or production) deployment. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Pack DIR (gitignore-aware; symbolic links skipped) into a zip, upload it and deploy it as a"
                + " preview of the procedure, or with --prod to production (asked first unless --yes). Follows the"
                + " build, its log on standard output: exit 0 when the deployment is ready, 1 when the build failed.",
                "POST /v2/uploads, PUT to the presigned URL it answers, POST /v2/deployments,"
                        + " GET /v2/deployments/{id}/logs (text/event-stream), GET /v2/deployments/{id}."})
final class DeployCommand extends ApiCommand.WithJson {
    @ParentCommand
    Main main;

    @Mixin
    SourceOptions source;

    @Option(names = "--prod", description = "Deploy to production instead of preview")
    boolean prod;

    @Option(names = {"-y", "--yes"}, description = "Do not ask before deploying to production")
    boolean yes;

    @Option(names = "--no-follow", description = "Create the deployment and print it; do not wait for the build")
    boolean noFollow;

    @Override
    int execute(ApiClient client) throws IOException {
        String procedureId = source.procedureId();
        Path dir = source.directory();
        if (prod && json && !yes) {
            throw new UsageError("--json --prod needs --yes: JSON output cannot ask for confirmation");
        }
        if (prod && !Confirmation.given(main.terminal(), yes, err(), "deploying " + dir + " to production",
                "deploy", () -> "Deploy " + dir + " to production of procedure " + procedureId + "?", "not deployed")) {
            return Exit.USAGE;
        }
        ProgressBar progress = new ProgressBar(err(), main.terminal().errorIsTerminal());
        SourceDeployer deployer = new SourceDeployer(client, source, procedureId, progress, out(), !json,
                main.pause());
        String environment = prod ? "production" : "preview";
        String body = deployer.deploy(SourceTree.of(dir), environment);
        JsonNode created = parse(body);
        String id = text(created, "id", "?");
        if (noFollow) {
            return show(body, (d, out) -> {
                out.println("created deployment " + id + " (" + text(d, "environment", environment) + " of procedure "
                        + procedureId + "), status " + text(d, "status", "?"));
                out.println("url: " + deployer.url(id));
            });
        }
        progress.finish("created deployment " + id + " (" + environment + "); following its build");
        SourceDeployer.Build build = deployer.follow(id, text(created, "status", "pending"));
        int exit = build.ready() ? Exit.OK : Exit.FAILED;
        if (json) {
            printJson(build.body());
            return exit;
        }
        String reason = build.failureReason();
        out().println("deployment " + id + " " + build.status() + (build.ready() ? " (" + environment
                + " of procedure " + procedureId + ")" : reason == null ? "" : ": " + reason));
        out().println("url: " + deployer.url(id));
        return exit;
    }
}
