package io.benchline.e2e;

import io.benchline.stack.LocalStack;
import io.benchline.stack.StackLayout;
import io.benchline.stack.StackOptions;
import io.benchline.testsupport.LocalPackageIndex;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one local stack that {@code PushToStationIT}, {@code KeyRotationIT} and {@code BadInputFuzzIT} share in a
 * failsafe JVM: started by the first of them that asks ({@link #get}), with {@link #extraEnv} and traces on (exported
 * to {@link #traces}), and stopped when the JUnit launcher session ends ({@link CloseAtSessionEnd}, registered in
 * {@code META-INF/services}), or at the latest when the JVM exits. Its files and logs stay in
 * {@code target/e2e-stack-*}.
 *
 * <p>The classes share one organization, one API key and every topic, so each of them looks at its own records only:
 * its procedures, stations and deployments by id, its repository's events, its trace by trace id; none counts what
 * the organization holds. {@code InternalTokenRequiredIT} and {@code FaultTrialsIT} start their own servers.
 */
public final class SharedStack {
    /** A wheel of the package index: the power-board procedures pin it and import it on the station. */
    static final LocalPackageIndex.Wheel RAILS = LocalPackageIndex.wheel("bench-rails", "1.2.0", "bench_rails",
            "LIMIT = 5.2\n");
    /** A wheel that builds but cannot be installed on the station. */
    static final LocalPackageIndex.Wheel BROKEN = LocalPackageIndex.brokenWheel("bench-broken", "0.1.0");

    /**
     * The services' environment on top of the stack's own, by module: what PushToStationIT's tests need, and nothing
     * the other classes mind. {@code packageIndex}: the URL of {@link #packages}.
     */
    static Map<String, Map<String, String>> extraEnv(String packageIndex) {
        return Map.of("build-worker", Map.of("BENCHLINE_BUILD_PACKAGE_INDEX", packageIndex),
                // development sessions end and go within seconds here (minutes by default)
                "deployment-service", Map.of("BENCHLINE_DEVELOPMENT_SESSION_TIMEOUT", "30s",
                        "BENCHLINE_DEVELOPMENT_HEARTBEAT_INTERVAL", "2s",
                        "BENCHLINE_DEVELOPMENT_REMOVAL_DELAY", "3s",
                        "BENCHLINE_DEVELOPMENT_SWEEP_INTERVAL", "1s"),
                // the health gate looks every second (5 s by default)
                "station-dispatcher", Map.of("BENCHLINE_ROLLOUTS_GATE_INTERVAL", "1s"),
                // live pages re-read the API only when an event names their procedure: the fallback re-read is a
                // minute away (15 s by default), so the browser test's rows and rollout figures move by events
                "dashboard", Map.of("BENCHLINE_DASHBOARD_LIVE_INTERVAL", "60s"));
    }

    private static SharedStack shared;
    private static Throwable failedStart;
    private static boolean hookAdded;

    final LocalStack stack;
    /** Every span of every service and the gateway of the stack, of every class. */
    final OtlpReceiver traces;
    /** The package index build-worker vendors wheels from (no public index is reachable here). */
    final LocalPackageIndex packages;

    private SharedStack(LocalStack stack, OtlpReceiver traces, LocalPackageIndex packages) {
        this.stack = stack;
        this.traces = traces;
        this.packages = packages;
    }

    /** The shared stack, started on the first call; a start that failed fails every later call too, at once. */
    static synchronized SharedStack get() throws Exception {
        if (shared != null) {
            return shared;
        }
        if (failedStart != null) {
            throw new IllegalStateException("the shared stack did not start (see the first class that failed)",
                    failedStart);
        }
        if (!hookAdded) {
            // Only if the launcher session never ends (a JVM stopped some other way).
            Runtime.getRuntime().addShutdownHook(new Thread(SharedStack::close, "e2e-shared-stack-stop"));
            hookAdded = true;
        }
        OtlpReceiver traces = null;
        LocalPackageIndex packages = null;
        try {
            Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "e2e-stack-");
            traces = new OtlpReceiver();
            packages = new LocalPackageIndex().add(RAILS).add(BROKEN);
            LocalStack stack = LocalStack.start(StackOptions.randomPorts(dir.resolve("stack"),
                    StackOptions.parseInstances(System.getProperty("benchline.e2e.instances", "")))
                    .withExtraEnv(extraEnv(packages.url()))
                    .withTraces(traces.endpoint()), StackLayout.detect());
            shared = new SharedStack(stack, traces, packages);
            return shared;
        } catch (Exception | Error e) {
            failedStart = e;
            if (traces != null) {
                traces.close();
            }
            if (packages != null) {
                packages.close();
            }
            throw e;
        }
    }

    /** Stops the shared stack if it runs (a later {@link #get} would start a new one). */
    static synchronized void close() {
        SharedStack s = shared;
        if (s == null) {
            return;
        }
        shared = null;
        try {
            s.stack.close();
        } finally {
            s.traces.close();
            s.packages.close();
        }
    }

    /** Stops the shared stack when the launcher session that ran the tests ends (the failsafe JVM's end). */
    public static final class CloseAtSessionEnd implements LauncherSessionListener {
        @Override
        public void launcherSessionClosed(LauncherSession session) {
            SharedStack.close();
        }
    }
}
