package io.benchline.dashboard;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A live page follows its procedure on the services' topics: an event naming it makes the stream re-read the API at
 * once (here the fallback re-read is an hour away), and once more after the settle delay; events of other procedures
 * and records that are no events read nothing and do not stop the channel.
 */
@QuarkusTest
@TestProfile(LiveEventsTest.FallbackAnHourAway.class)
@QuarkusTestResource(FakeBenchlineApi.class)
class LiveEventsTest {
    private static final String READ = "GET /v2/deployments?procedure_id=prc_live&limit=50 " + FakeBenchlineApi.MEMBER;

    public static class FallbackAnHourAway implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("benchline.dashboard.live-interval", "1h", "benchline.dashboard.live-lifetime", "2m",
                    "benchline.dashboard.live-min-interval", "100ms", "benchline.dashboard.live-settle", "300ms");
        }
    }

    @Inject
    @Connector("smallrye-in-memory")
    InMemoryConnector connector;

    @TestHTTPResource("/")
    URL base;

    @Test
    void anEventNamingThePagesProcedureSendsTheChangedRowWithoutWaitingForTheFallback() throws Exception {
        FakeBenchlineApi.LIVE_STATUS.set("building");
        SignedIn member = SignedIn.signIn(FakeBenchlineApi.MEMBER);
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<Stream<String>>> stream = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create(base + "procedures/prc_live/live"))
                        .header("Cookie", "bl_session=" + member.cookie()).build(),
                HttpResponse.BodyHandlers.ofLines());
        CompletableFuture<Void> reading = stream.thenAcceptAsync(r -> r.body().forEach(lines::add));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> String.join("\n", lines)
                    .contains("<span class=\"badge building\">building</span>"));
            assertThat(reads()).as("the stream's first read").isEqualTo(1);

            var source = connector.source("service-events");
            source.send(event("io.benchline.deployment.lifecycle", "prc_other")); // a page nobody has open
            source.send("not an event at all");
            source.send("{\"specversion\":\"1.0\",\"data\":{\"station_id\":\"sta_1\"}}"); // names no procedure
            FakeBenchlineApi.LIVE_STATUS.set("ready");
            source.send(event("io.benchline.deployment.lifecycle", "prc_live"));

            await().atMost(Duration.ofSeconds(30)).until(() -> String.join("\n", lines)
                    .contains("<span class=\"badge ready\">ready</span>"));
            // The event's read, then the settle read; the other records read nothing.
            await().atMost(Duration.ofSeconds(30)).until(() -> reads() >= 3);
            assertThat(reads()).isEqualTo(3);
            assertThat(String.join("\n", lines).split("data: dep_live\n", -1)).as("the row sent twice: building, "
                    + "ready (the settle read found nothing new)").hasSize(3);

            // A station's run on the procedure is as good a reason: the page reads again.
            source.send(event("io.benchline.station.run", "prc_live"));
            await().atMost(Duration.ofSeconds(30)).until(() -> reads() >= 4);
        } finally {
            stream.cancel(true);
            reading.cancel(true);
        }
    }

    private static long reads() {
        return FakeBenchlineApi.REQUESTS.stream().filter(READ::equals).count();
    }

    private static String event(String type, String procedureId) {
        return "{\"specversion\":\"1.0\",\"id\":\"evt_" + System.nanoTime() + "\",\"type\":\"" + type
                + "\",\"source\":\"/test\",\"data\":{\"procedure_id\":\"" + procedureId + "\",\"org_id\":\"org_1\"}}";
    }
}
