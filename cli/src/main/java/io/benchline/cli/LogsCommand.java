package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Duration;

import static io.benchline.cli.ApiClient.segment;

/** {@code benchline logs DEPLOYMENT [--follow]}: a deployment's build log, or its lines as they are written. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print a deployment's build log. With --follow, print lines as the build writes them and end"
                + " when the build ends: exit 0 when it is ready, 1 when it failed. A dropped stream is resumed where"
                + " it stopped.",
                "GET /v2/deployments/{id}/logs (JSON pages; with --follow, text/event-stream)."})
final class LogsCommand extends ApiCommand {
    static final int RECONNECTS = 10;

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
        String path = "/v2/deployments/" + segment(deploymentId) + "/logs";
        if (!follow) {
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
        String last = null;
        String[] end = {null};
        String[] lastId = {null};
        int failures = 0;
        while (end[0] == null) {
            int[] events = {0};
            try {
                client.stream(path, last, event -> {
                    events[0]++;
                    try {
                        if ("line".equals(event.name())) {
                            print(Json.MAPPER.readTree(event.data()));
                            lastId[0] = event.id();
                        } else if ("end".equals(event.name())) {
                            JsonNode status = Json.MAPPER.readTree(event.data());
                            end[0] = status.path("status").asText("unknown");
                            if (json) {
                                out().println(event.data());
                            }
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    out().flush();
                });
                if (events[0] > 0) {
                    failures = 0; // a stream that ended after its longest life: go on where it stopped
                } else if (end[0] == null && ++failures > RECONNECTS) {
                    throw new IOException("the log stream keeps ending without a line; giving up");
                } else if (end[0] == null) {
                    sleep(Duration.ofMillis(Math.min(5_000, 250L << failures)));
                }
            } catch (RequestFailed e) {
                throw e;
            } catch (IOException | java.io.UncheckedIOException e) {
                if (++failures > RECONNECTS) {
                    throw e instanceof IOException io ? io : ((java.io.UncheckedIOException) e).getCause();
                }
                err().println("stream interrupted (" + Log.describe(e) + "); resuming");
                err().flush();
                sleep(Duration.ofMillis(Math.min(5_000, 250L << failures)));
            }
            last = lastId[0] == null ? last : lastId[0];
        }
        if (!json) {
            out().println("build " + end[0]);
        }
        return "ready".equals(end[0]) ? Exit.OK : Exit.FAILED;
    }

    private void print(JsonNode line) {
        if (json) {
            out().println(line.toString());
            return;
        }
        out().println(line.path("timestamp").asText("") + " " + line.path("level").asText("info").toUpperCase(
                java.util.Locale.ROOT) + " " + line.path("text").asText(""));
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
