package io.benchline.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.benchline.cli.ApiClient.segment;

/**
 * The development sessions {@code dev} keeps open. Each gets a heartbeat ({@code POST /v2/deployments/{id}/heartbeat})
 * every {@code session_heartbeat_seconds} from its creation on, on a thread of its own, so that a long build does not
 * let its session lapse; {@code DELETE /v2/deployments/{id}/session} ends one. A failed heartbeat is reported and
 * retried with back-off; when the server says the current deployment's session is over (409, or 404 once it is gone),
 * the command stops.
 */
final class DevSessions {
    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(20);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private final ApiClient client;
    private final Pause pause;
    private final DevEvents events;
    private final Set<String> open = ConcurrentHashMap.newKeySet();
    private volatile String current;
    private volatile Duration interval = DEFAULT_HEARTBEAT;
    private volatile RequestFailed endedByServer;
    private Thread heartbeats;

    DevSessions(ApiClient client, Pause pause, DevEvents events) {
        this.client = client;
        this.pause = pause;
        this.events = events;
    }

    /** Starts the heartbeats of a new development deployment; the first one opened is the current one. */
    synchronized void open(String deploymentId, Duration heartbeat) {
        open.add(deploymentId);
        interval = heartbeat;
        if (current == null) {
            current = deploymentId;
        }
        if (heartbeats == null) {
            heartbeats = new Thread(this::beat, "benchline-dev-heartbeats");
            heartbeats.setDaemon(true);
            heartbeats.start();
        }
    }

    /** The deployment whose session, when the server ends it, ends the command. */
    void makeCurrent(String deploymentId) {
        current = deploymentId;
    }

    /** The server's answer when it ended the current session, or null. */
    RequestFailed endedByServer() {
        return endedByServer;
    }

    /** Ends one session (once; a session the server already ended counts as ended). */
    void end(String deploymentId) throws IOException {
        if (!open.remove(deploymentId)) {
            return;
        }
        try {
            client.delete("/v2/deployments/" + segment(deploymentId) + "/session");
        } catch (RequestFailed e) {
            if (!over(e)) {
                throw e;
            }
        }
        events.ended(deploymentId);
    }

    /** Ends every open session, reporting the ones that fail and going on with the others. */
    void endAll() {
        for (String deploymentId : List.copyOf(open)) {
            try {
                end(deploymentId);
            } catch (IOException e) {
                events.failure("could not end the session of deployment " + deploymentId, e);
            }
        }
    }

    /** Waits for the heartbeat thread to end; the pause must be stopped. */
    void close() throws InterruptedException {
        Thread thread;
        synchronized (this) {
            thread = heartbeats;
        }
        if (thread != null) {
            thread.join(Duration.ofSeconds(10).toMillis());
        }
    }

    private void beat() {
        int failures = 0;
        while (!pause.sleep(failures == 0 ? interval : backOff(failures))) {
            boolean failed = false;
            for (String deploymentId : List.copyOf(open)) {
                try {
                    client.post("/v2/deployments/" + segment(deploymentId) + "/heartbeat", null);
                } catch (RequestFailed e) {
                    if (over(e)) {
                        endedByServer(deploymentId, e);
                    } else {
                        failed = true;
                        events.heartbeatFailed(deploymentId, e.lines().get(0).replaceFirst("^error: ", ""),
                                backOff(failures + 1));
                    }
                } catch (IOException | RuntimeException e) {
                    failed = true;
                    events.heartbeatFailed(deploymentId, Log.describe(e), backOff(failures + 1));
                }
            }
            failures = failed ? failures + 1 : 0;
        }
    }

    private void endedByServer(String deploymentId, RequestFailed e) {
        if (!open.remove(deploymentId)) {
            return; // ended by us meanwhile
        }
        events.sessionEnded(deploymentId, e);
        if (deploymentId.equals(current)) {
            endedByServer = e;
            pause.stop();
        }
    }

    /** 1 s, 2 s, 4 s … up to the heartbeat interval. */
    private Duration backOff(int failures) {
        Duration d = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 16));
        return d.compareTo(interval) > 0 ? interval : d;
    }

    /** The server's word that a session is over: 409 (ended), 404 or 410 (the deployment is gone). */
    private static boolean over(RequestFailed e) {
        return e.status() == 409 || e.status() == 404 || e.status() == 410;
    }
}
