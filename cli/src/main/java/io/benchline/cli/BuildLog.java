package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

import static io.benchline.cli.ApiClient.segment;

/**
 * Follows a deployment's build log ({@code GET /v2/deployments/{id}/logs}, {@code text/event-stream}) until the
 * build ends: a {@code line} event per line, then one {@code end} event {@code {status}}. A stream that drops or ends
 * early is resumed after the last line with {@code Last-Event-ID}, up to {@value #RECONNECTS} times in a row with
 * back-off. Used by {@code logs --follow}, {@code deploy} and {@code dev}.
 */
final class BuildLog {
    static final int RECONNECTS = 10;

    /** The end of the build: its status and the end event's data as sent. */
    record End(String status, String data) {
        boolean ready() {
            return "ready".equals(status);
        }
    }

    private final ApiClient client;
    private final Pause pause;
    private final Consumer<String> notices;

    /** {@code notices}: what a person should know about the stream itself (a resumed stream). */
    BuildLog(ApiClient client, Pause pause, Consumer<String> notices) {
        this.client = client;
        this.pause = pause;
        this.notices = notices;
    }

    /** Hands each line (its JSON: number, timestamp, level, text) to {@code lines} until the build ends. */
    End follow(String deploymentId, Consumer<JsonNode> lines) throws IOException {
        String path = "/v2/deployments/" + segment(deploymentId) + "/logs";
        String[] lastId = {null};
        End[] end = {null};
        int failures = 0;
        while (end[0] == null) {
            int[] events = {0};
            try {
                client.stream(path, lastId[0], event -> {
                    events[0]++;
                    try {
                        if ("line".equals(event.name())) {
                            lines.accept(Json.MAPPER.readTree(event.data()));
                            lastId[0] = event.id() == null ? lastId[0] : event.id();
                        } else if ("end".equals(event.name())) {
                            end[0] = new End(Json.MAPPER.readTree(event.data()).path("status").asText("unknown"),
                                    event.data());
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                if (events[0] > 0) {
                    failures = 0; // a stream that ended after its longest life: go on where it stopped
                } else if (end[0] == null && ++failures > RECONNECTS) {
                    throw new IOException("the log stream keeps ending without a line; giving up");
                } else if (end[0] == null) {
                    backOff(failures);
                }
            } catch (RequestFailed e) {
                throw e;
            } catch (IOException | UncheckedIOException e) {
                IOException cause = e instanceof IOException io ? io : ((UncheckedIOException) e).getCause();
                if (++failures > RECONNECTS) {
                    throw cause;
                }
                notices.accept("stream interrupted (" + Log.describe(cause) + "); resuming");
                backOff(failures);
            }
        }
        return end[0];
    }

    /** A line as {@code benchline logs} prints it: {@code TIMESTAMP LEVEL text}. */
    static String format(JsonNode line) {
        return line.path("timestamp").asText("") + " " + line.path("level").asText("info").toUpperCase(Locale.ROOT)
                + " " + line.path("text").asText("");
    }

    private void backOff(int failures) throws IOException {
        if (pause.sleep(Duration.ofMillis(Math.min(5_000, 250L << failures)))) {
            throw new IOException("stopped while following the build log of the deployment");
        }
    }
}
