package io.benchline.deployments;

import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.at;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.digest;
import static io.benchline.deployments.TestSupport.lines;
import static io.benchline.deployments.TestSupport.pendingDeployment;
import static io.benchline.deployments.TestSupport.ready;
import static io.benchline.deployments.TestSupport.sendCompleted;
import static io.benchline.deployments.TestSupport.sendLogs;
import static io.benchline.deployments.TestSupport.sendStarted;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** GET /v2/deployments/{id}/logs as text/event-stream: lines as they arrive, resumable, ending with the build. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class LogStreamTest {
    @TestHTTPResource("/v2/deployments/")
    URI deployments;

    private final HttpClient http = HttpClient.newHttpClient();

    /** Every line of the stream (data, event, id, comments), as it arrives; completes when the server ends it. */
    private CompletableFuture<HttpResponse<Void>> follow(String id, String lastEventId, List<String> received) {
        HttpRequest.Builder request = HttpRequest.newBuilder(deployments.resolve(id + "/logs"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + KEY)
                .timeout(Duration.ofMinutes(2));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.fromLineSubscriber(
                new java.util.concurrent.Flow.Subscriber<String>() {
                    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                        s.request(Long.MAX_VALUE);
                    }

                    public void onNext(String line) {
                        received.add(line);
                    }

                    public void onError(Throwable t) {
                    }

                    public void onComplete() {
                    }
                }));
    }

    private static List<String> data(List<String> received, String event) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < received.size(); i++) {
            if (received.get(i).equals("event:" + event) || received.get(i).equals("event: " + event)) {
                for (int j = i + 1; j < received.size() && !received.get(j).isEmpty(); j++) {
                    if (received.get(j).startsWith("data:")) {
                        out.add(received.get(j).substring(5).strip());
                    }
                }
            }
        }
        return out;
    }

    @Test
    void linesArriveAsTheyAreStoredAndTheStreamEndsWithTheBuild() throws Exception {
        String procedureId = createProcedure(KEY, "acme/" + unique("stream"), Map.of()).getString("id");
        String id = pendingDeployment(procedureId);
        sendStarted(id, id, at(30));
        awaitStatus(id, "building");
        sendLogs(id, lines(1, 2));

        List<String> received = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<Void>> stream = follow(id, null, received);
        await().atMost(Duration.ofSeconds(60)).until(() -> data(received, "line").size() == 2);
        assertThat(stream).as("the build still runs: the stream stays open").isNotDone();

        sendLogs(id, lines(3, 4));
        await().atMost(Duration.ofSeconds(60)).until(() -> data(received, "line").size() == 4);
        sendCompleted(ready(id, at(30), at(1), digest(), 4L), id);
        HttpResponse<Void> ended = stream.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(ended.statusCode()).isEqualTo(200);
        assertThat(ended.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(data(received, "line")).hasSize(4).allMatch(d -> d.contains("\"text\":\"line "));
        assertThat(data(received, "line").get(3)).contains("\"number\":4");
        assertThat(received).contains("id:4");
        assertThat(data(received, "end")).containsExactly("{\"status\":\"ready\"}");

        // Resumed after line 2: lines 3 and 4, then the end at once (the log is complete).
        List<String> resumed = new CopyOnWriteArrayList<>();
        follow(id, "2", resumed).get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(data(resumed, "line")).hasSize(2);
        assertThat(data(resumed, "line").get(0)).contains("\"number\":3");
        assertThat(data(resumed, "end")).containsExactly("{\"status\":\"ready\"}");
    }

    @Test
    void anUnknownDeploymentOrABadLastEventIdIsProblemJsonNotAStream() throws Exception {
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(deployments.resolve(
                        "dep_00000000000000000000000000/logs")).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");

        String procedureId = createProcedure(KEY, "acme/" + unique("stream"), Map.of()).getString("id");
        String id = pendingDeployment(procedureId);
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(deployments.resolve(id + "/logs"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + KEY)
                .header("Last-Event-ID", "yesterday").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("Last-Event-ID");
        // JSON stays the default
        assertThat(TestSupport.as(KEY).get("/v2/deployments/" + id + "/logs").then().statusCode(200)
                .extract().contentType()).startsWith("application/json");
    }
}
