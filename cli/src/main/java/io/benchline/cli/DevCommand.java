package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.cli.source.SourceTree;
import io.benchline.cli.source.SourceWatcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.benchline.cli.Fields.text;

/**
 * {@code benchline dev [DIR]}: a development deployment of a directory, pinned to test stations and kept alive by
 * heartbeats until Ctrl-C; with {@code --watch} deployed again on every change.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = {"Pack and upload DIR as a development deployment, follow its build, pin it to each --station"
                + " (stations marked for development), then keep its session alive with heartbeats until Ctrl-C or"
                + " SIGTERM, which end the session (the server then removes the deployment). With --watch, every"
                + " change to DIR is deployed again as a new development deployment, pinned to the same stations,"
                + " and the previous session is ended. Exit 1 when the build fails or the server ends the session.",
                "POST /v2/uploads, PUT to the presigned URL, POST /v2/deployments {environment: development},"
                        + " the build log, the pin calls, POST /v2/deployments/{id}/heartbeat,"
                        + " DELETE /v2/deployments/{id}/session."})
final class DevCommand extends ApiCommand.WithJson {
    /** How long the tree must be quiet after a change before it is deployed again. */
    static final Duration QUIET = Duration.ofSeconds(1);
    private static final Duration WATCH_TICK = Duration.ofMillis(500);
    private static final Duration SIGNAL_GRACE = Duration.ofSeconds(10);

    @ParentCommand
    Main main;

    @Mixin
    SourceOptions source;

    @Option(names = "--station", paramLabel = "STATION_ID",
            description = "A station to pin each development deployment to (repeat for several)")
    List<String> stations = new ArrayList<>();

    @Option(names = "--watch", description = "Deploy again when files in DIR change (ignored files do not count)")
    boolean watch;

    private ApiClient client;
    private Pause pause;
    private SourceDeployer deployer;
    private DevSessions sessions;
    private DevEvents events;
    private Duration heartbeat = DevSessions.DEFAULT_HEARTBEAT;

    @Override
    int execute(ApiClient apiClient) throws IOException {
        String procedureId = source.procedureId();
        Path dir = source.directory();
        client = apiClient;
        pause = main.pause();
        ProgressBar progress = new ProgressBar(err(), main.terminal().errorIsTerminal());
        deployer = new SourceDeployer(client, source, procedureId, progress, out(), !json, pause);
        events = new DevEvents(json, out(), progress, deployer::url);
        sessions = new DevSessions(client, pause, events);
        SourceTree tree = SourceTree.of(dir);
        AtomicInteger exit = new AtomicInteger(Exit.OK);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> onSignal(finished, exit), "benchline-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (SourceWatcher watcher = watch ? new SourceWatcher(tree) : null) {
            exit.set(run(tree, watcher));
            return exit.get();
        } catch (IOException | RuntimeException e) {
            exit.set(e instanceof RequestFailed refused ? refused.exitCode()
                    : e instanceof UsageError ? Exit.USAGE : Exit.FAILED);
            sessions.endAll();
            throw e;
        } finally {
            pause.stop();
            try {
                sessions.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out().flush();
            err().flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it ends the process once this returns
            }
        }
    }

    private int run(SourceTree tree, SourceWatcher watcher) throws IOException {
        String current = deployOnce(tree);
        if (current == null && watcher == null) {
            return Exit.FAILED;
        }
        events.sessionOpen(current, heartbeat, watcher == null ? null : tree.dir().toString());
        try {
            if (watcher == null) {
                pause.awaitStop();
            }
            while (watcher != null && !pause.stopped()) {
                if (!watcher.awaitChange(WATCH_TICK, QUIET, pause::stopped) || pause.stopped()) {
                    continue;
                }
                events.change(tree.dir().toString());
                try {
                    String next = deployOnce(tree);
                    if (next != null) {
                        sessions.makeCurrent(next);
                        if (current != null && !current.equals(next)) {
                            sessions.end(current);
                        }
                        current = next;
                    }
                } catch (IOException e) {
                    events.failure("deploying the change failed; "
                            + (current == null ? "no deployment is running" : "deployment " + current + " stays"), e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RequestFailed ended = sessions.endedByServer();
        sessions.endAll();
        if (ended != null) {
            ended.lines().forEach(err()::println);
            return Exit.FAILED;
        }
        return Exit.OK;
    }

    /**
     * One development deployment of the tree as it is now: created, its heartbeats started, its build followed and,
     * once ready, pinned. Answers its id, or null when the build failed (its session ended then).
     */
    private String deployOnce(SourceTree tree) throws IOException {
        JsonNode created = parse(deployer.deploy(tree, "development"));
        String id = text(created, "id", null);
        if (id == null) {
            throw new IOException("POST /v2/deployments answered no id: " + ApiClient.abbreviate(created.toString()));
        }
        JsonNode seconds = created.path("session_heartbeat_seconds");
        heartbeat = seconds.canConvertToLong() && seconds.asLong() > 0 ? Duration.ofSeconds(seconds.asLong())
                : DevSessions.DEFAULT_HEARTBEAT;
        sessions.open(id, heartbeat);
        events.created(created);
        try {
            SourceDeployer.Build build = deployer.follow(id, text(created, "status", "pending"));
            if (!build.ready()) {
                events.failed(build);
                sessions.end(id);
                return null;
            }
            events.ready(build);
            if (!stations.isEmpty() && !pause.stopped()) {
                StationCommands.Pinned pinned = StationCommands.pin(client, id, stations, null);
                events.pinned(pinned, parse(pinned.body()));
            }
            return id;
        } catch (IOException e) {
            sessions.end(id);
            throw e;
        }
    }

    /**
     * Ctrl-C or SIGTERM: stop, let the command end its sessions, and exit with its code (0 after a clean end) rather
     * than the signal's; if it does not finish in time, end the sessions from here.
     */
    private void onSignal(CountDownLatch finished, AtomicInteger exit) {
        pause.stop();
        try {
            if (!finished.await(SIGNAL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                sessions.endAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deployer.discard();
        out().flush();
        err().flush();
        // halt, not exit: the process is already exiting, with the signal's status (130, 143) unless halted
        Runtime.getRuntime().halt(exit.get());
    }
}
