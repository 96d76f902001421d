package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.events.DeploymentEvent;
import io.benchline.stack.GitPush;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live dashboard rows: how long after a deployment's lifecycle event the Deployments tab's open event stream (SSE
 * through the gateway, a real signed-in session) shows the row in that status or a later one. Real pushes of a
 * real repository build pending → building → ready. Baseline: a bare Kafka consumer in this process reading
 * the same records of {@code deployment.events}. Both are timed from the record's own timestamp (the outbox relay's
 * send, the same machine's clock), in milliseconds.
 */
final class LiveBench {
    static final String SECTION = "10. live dashboard rows (SSE via gateway)";
    private static final String FULL_NAME = "benchline-bench/live";
    private static final Pattern BADGE = Pattern.compile("class=\"badge ([a-z]+)\"");

    private LiveBench() {
    }

    /** One lifecycle record as the bare consumer read it. */
    record Event(String deploymentId, String status, long recordMillis, long readMillis) {
    }

    /** One row the stream sent: its deployment, the status it shows, when it arrived. */
    record Row(String deploymentId, String status, long arrivedMillis) {
    }

    static void run(BenchStack stack, BenchOptions o, Report report) throws Exception {
        Path repo = stack.dir().resolve("bench-repos/live");
        PushReadyBench.createRepository(repo, "bench-live");
        String cloneUrl = "file://" + repo.toAbsolutePath();
        JsonNode p = PushReadyBench.createProcedure(stack, "bench-live", cloneUrl, FULL_NAME);
        String procedureId = p.path("id").asText();
        String hookId = p.path("webhook").path("id").asText();
        String secret = p.path("webhook").path("secret").asText();
        String cookie = DashboardPagesBench.signIn(stack);

        List<Event> events = new CopyOnWriteArrayList<>();
        List<Row> rows = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread consumer = new Thread(() -> follow(stack, procedureId, stop, events), "bench-live-events");
        consumer.setDaemon(true);
        consumer.start();
        HttpClient sse = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        AtomicBoolean streamOpen = new AtomicBoolean();
        Thread stream = new Thread(() -> read(sse, stack, procedureId, cookie, stop, streamOpen, rows),
                "bench-live-stream");
        stream.setDaemon(true);
        stream.start();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!streamOpen.get() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        if (!streamOpen.get()) {
            throw new IllegalStateException("the Deployments tab's event stream did not open in 30 s");
        }
        Thread.sleep(1500); // the consumer is assigned and at the end of the topic; the stream sent its first rows

        BenchMain.progress("live: " + o.livePushes + " pushes, each watched on the Deployments tab's event stream");
        String before = GitPush.git(repo, "rev-parse", "HEAD").trim();
        List<String> ids = new ArrayList<>();
        int missed = 0;
        try {
            for (int i = 1; i <= o.livePushes; i++) {
                Files.writeString(repo.resolve("main.py"), "# live push " + i + "\n", StandardOpenOption.APPEND);
                GitPush.git(repo, "commit", "-qam", "Live push " + i);
                String after = GitPush.git(repo, "rev-parse", "HEAD").trim();
                HttpResponse<String> response = GitPush.send(stack.stack().baseUrl(), hookId, secret,
                        GitPush.payload(repo, FULL_NAME, cloneUrl, "main", before, after),
                        UUID.randomUUID().toString());
                if (response.statusCode() != 202) {
                    throw new IllegalStateException("push webhook answered " + response.statusCode() + ": "
                            + response.body());
                }
                before = after;
                // Until the page shows the push's deployment finished (or 60 s), then quiet for the next one.
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                String id = null;
                while (System.nanoTime() < deadline) {
                    id = finished(events);
                    if (id != null && !ids.contains(id) && shown(rows, id, "ready") != null) {
                        break;
                    }
                    id = null;
                    Thread.sleep(5);
                }
                if (id == null) {
                    missed++;
                    report.note("10: push " + i + " (" + after.substring(0, 7) + ") not shown ready within 60 s");
                } else {
                    ids.add(id);
                }
                Thread.sleep(1500); // past the stream's settle read: each push starts from a quiet stream
            }
        } finally {
            stop.set(true);
            consumer.join(5_000);
            stream.interrupt();
        }

        Latencies page = new Latencies();
        Latencies bare = new Latencies();
        int skipped = 0;
        int samples = 0;
        for (Event e : events) {
            if (!ids.contains(e.deploymentId())) {
                continue;
            }
            Row shown = shown(rows, e.deploymentId(), e.status());
            if (shown == null) {
                continue;
            }
            samples++;
            if (!shown.status().equals(e.status())) {
                skipped++;
            }
            page.recordMillis(Math.max(0, shown.arrivedMillis() - e.recordMillis()));
            bare.recordMillis(Math.max(0, e.readMillis() - e.recordMillis()));
        }
        if (samples == 0) {
            throw new IllegalStateException("no lifecycle event of the pushes reached the page");
        }
        report.row(SECTION, String.format(Locale.ROOT, "event → row on the page, p50 / p99 (%d events)", samples),
                page.p50p99(), bare.p50p99(), page.p50() / Math.max(1, bare.p50()), "-");
        report.note(String.format(Locale.ROOT, "10: value = from a deployment.events record's timestamp to the first"
                + " event of the Deployments tab's stream (GET /procedures/{id}/live through the gateway, a signed-in"
                + " session) whose row shows that status or a later one; %d pushes of a file:// repository, %d of their"
                + " %d lifecycle events were already past when the page read (it showed a later status). The page"
                + " re-reads the API at most every live-min-interval (250 ms) and once more live-settle (1 s) after."
                + " Baseline = a bare KafkaConsumer in this process reading the same records; ratio on p50 (baseline"
                + " at least 1 ms).", ids.size(), skipped, samples));
        if (missed > 0) {
            report.note("10: " + missed + " of " + o.livePushes + " pushes were not shown ready");
        }
    }

    /** The newest finished (ready) deployment the consumer saw. */
    private static String finished(List<Event> events) {
        String id = null;
        for (Event e : events) {
            if (DeploymentEvent.READY.equals(e.status())) {
                id = e.deploymentId();
            }
        }
        return id;
    }

    /** The first row the stream sent for the deployment in {@code status} or a later one. */
    private static Row shown(List<Row> rows, String deploymentId, String status) {
        for (Row r : rows) {
            if (r.deploymentId().equals(deploymentId) && rank(r.status()) >= rank(status)) {
                return r;
            }
        }
        return null;
    }

    private static int rank(String status) {
        return switch (status) {
            case "pending" -> 0;
            case "building" -> 1;
            default -> 2;
        };
    }

    private static void follow(BenchStack stack, String procedureId, AtomicBoolean stop, List<Event> events) {
        FinalDeploymentEvents.followAll(stack, stop, (e, recordMillis) -> {
            long now = System.currentTimeMillis();
            String status = switch (e.change()) {
                case DeploymentEvent.CREATED -> "pending";
                case DeploymentEvent.BUILDING, DeploymentEvent.READY, DeploymentEvent.FAILED -> e.change();
                default -> null; // management changes (pins, promotions) do not move a row's status
            };
            if (procedureId.equals(e.procedureId()) && status != null) {
                events.add(new Event(e.deploymentId(), status, recordMillis, now));
            }
        });
    }

    /** Reads the stream's events (the stream ends after live-lifetime: then it opens a new one, as browsers do). */
    private static void read(HttpClient client, BenchStack stack, String procedureId, String cookie,
            AtomicBoolean stop, AtomicBoolean open, List<Row> rows) {
        URI uri = URI.create("http://127.0.0.1:" + stack.gatewayPort() + "/procedures/" + procedureId + "/live");
        while (!stop.get()) {
            try {
                HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri)
                        .header("Cookie", cookie).header("Accept", "text/event-stream").GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
                }
                open.set(true);
                try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(),
                        StandardCharsets.UTF_8))) {
                    String event = null;
                    StringBuilder data = new StringBuilder();
                    String line;
                    while (!stop.get() && (line = in.readLine()) != null) {
                        if (line.isEmpty()) {
                            if ("row".equals(event) && !data.isEmpty()) {
                                row(data.toString(), System.currentTimeMillis(), rows);
                            }
                            event = null;
                            data.setLength(0);
                        } else if (line.startsWith("event:")) {
                            event = line.substring(6).strip();
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5).strip()).append('\n');
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (stop.get()) {
                    return;
                }
                BenchMain.progress("live: the event stream broke (" + e.getMessage() + "); opening it again");
            }
        }
    }

    /** An event's data: the deployment id on its first line, then the row's HTML. */
    private static void row(String data, long at, List<Row> rows) {
        int end = data.indexOf('\n');
        Matcher badge = BADGE.matcher(data);
        if (end > 0 && badge.find()) {
            rows.add(new Row(data.substring(0, end), badge.group(1), at));
        }
    }
}
