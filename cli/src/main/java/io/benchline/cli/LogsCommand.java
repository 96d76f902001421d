package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;

import static io.benchline.cli.ApiClient.segment;

/** {@code benchline logs DEPLOYMENT [--follow]}: a deployment's build log, or its lines as they are written. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print a deployment's build log. With --follow, print lines as the build writes them and end"
                + " when the build ends: exit 0 when it is ready, 1 when it failed. A dropped stream is resumed where"
                + " it stopped.",
                "GET /v2/deployments/{id}/logs (JSON pages; with --follow, text/event-stream)."})
final class LogsCommand extends ApiCommand {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "DEPLOYMENT_ID", description = "The deployment")
    String deploymentId;

    @Option(names = {"-f", "--follow"}, description = "Stream lines until the build ends")
    boolean follow;

    @Option(names = "--json", description = "One JSON object per line: {number, timestamp, level, text}; with"
            + " --follow the end as {\"status\": ...}")
    boolean json;

    @Override
    boolean json() {
        return json;
    }

    @Override
    int execute(ApiClient client) throws IOException {
        if (!follow) {
            String path = "/v2/deployments/" + segment(deploymentId) + "/logs";
            long after = 0;
            while (true) {
                JsonNode page = parse(client.get(path + "?after=" + after)).path("data");
                for (JsonNode line : page) {
                    print(line);
                    after = line.path("number").asLong(after);
                }
                if (page.isEmpty()) {
                    return Exit.OK;
                }
            }
        }
        BuildLog.End end = new BuildLog(client, main.pause(), notice -> {
            err().println(notice);
            err().flush();
        }).follow(deploymentId, line -> {
            print(line);
            out().flush();
        });
        out().println(json ? end.data() : "build " + end.status());
        return end.ready() ? Exit.OK : Exit.FAILED;
    }

    private void print(JsonNode line) {
        out().println(json ? line.toString() : BuildLog.format(line));
    }
}
