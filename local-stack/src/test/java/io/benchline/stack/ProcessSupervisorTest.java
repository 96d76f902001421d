package io.benchline.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a killed launcher leaves behind must never outlive it for long, nor block the next start; a supervised
 * child that crashes is restarted with backoff and given up after too many crashes; one stopped on purpose is not.
 */
class ProcessSupervisorTest {
    private static final String CLASSPATH = System.getProperty("java.class.path");
    /** Small delays, so the tests do not wait for the real 1 s, 2 s, 4 s … */
    private static final RestartPolicy FAST = new RestartPolicy(Duration.ofMillis(10), Duration.ofMillis(40), 3,
            Duration.ofMinutes(1));

    /** A child that does nothing until it is stopped. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
        }
    }

    /**
     * {@code Crasher <code>}: exits with that code at once. {@code Crasher <code> <marker> <ready>}: exits with it
     * the first time (when the marker file does not exist yet), then writes the ready file and stays up.
     */
    public static final class Crasher {
        public static void main(String[] args) throws Exception {
            int code = Integer.parseInt(args[0]);
            if (args.length == 1) {
                System.exit(code);
            }
            Path marker = Path.of(args[1]);
            if (!Files.exists(marker)) {
                Files.createFile(marker);
                System.exit(code);
            }
            Files.writeString(Path.of(args[2]), "up");
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not seen within 60 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static ProcessSupervisor.Child crasher(ProcessSupervisor supervisor, String name, Path dir,
            String... args) {
        return supervisor.startJava(name, List.of("-Xmx32m", "-XX:TieredStopAtLevel=1"), CLASSPATH,
                Crasher.class.getName(), List.of(args), Map.of(), dir.resolve(name + ".log"));
    }

    @Test
    void aChildThatDiesIsRestartedAfterItsBackoffAndTheConsoleSaysSo(@TempDir Path run) throws Exception {
        List<String> console = new CopyOnWriteArrayList<>();
        Path ready = run.resolve("ready");
        try (ProcessSupervisor supervisor = new ProcessSupervisor(run, console::add)) {
            ProcessSupervisor.Child child = crasher(supervisor, "station-dispatcher", run, "3",
                    run.resolve("crashed-once").toString(), ready.toString());
            long firstPid = child.process().pid();
            supervisor.supervise(child, FAST, () -> Files.exists(ready));

            await("the restarted child says it is ready", () -> console.contains("station-dispatcher is ready again"));

            assertThat(console).startsWith(
                    "station-dispatcher exited (code 3); restarting in 10 ms (restart 1 of 3), log: "
                            + run.resolve("station-dispatcher.log"),
                    "station-dispatcher started again (pid " + child.process().pid() + ")");
            assertThat(child.process().pid()).isNotEqualTo(firstPid);
            assertThat(child.process().isAlive()).isTrue();
            assertThat(child.state()).isEqualTo(ProcessSupervisor.State.RUNNING);
            assertThat(child.restarts()).isEqualTo(1);
            assertThat(Files.readString(run.resolve("station-dispatcher.pid")).trim())
                    .isEqualTo(Long.toString(child.process().pid()));
            assertThat(Files.readString(run.resolve("station-dispatcher.log")))
                    .contains("---- benchline: restart 1 of station-dispatcher after exit code 3 ----");
        }
    }

    @Test
    void aChildThatKeepsDyingIsGivenUpAfterTheLimitNamingItsLog(@TempDir Path run) throws Exception {
        List<String> console = new CopyOnWriteArrayList<>();
        CompletableFuture<ProcessSupervisor.Child> gaveUp = new CompletableFuture<>();
        try (ProcessSupervisor supervisor = new ProcessSupervisor(run, console::add)) {
            supervisor.onGiveUp(gaveUp::complete);
            ProcessSupervisor.Child child = crasher(supervisor, "build-worker", run, "7");
            supervisor.supervise(child, FAST, null);

            assertThat(gaveUp.get(60, TimeUnit.SECONDS)).isSameAs(child);

            String log = run.resolve("build-worker.log").toString();
            // The backoff doubles per restart and stops at the policy's maximum.
            assertThat(console).map(line -> line.replaceAll("pid \\d+", "pid N")).containsExactly(
                    "build-worker exited (code 7); restarting in 10 ms (restart 1 of 3), log: " + log,
                    "build-worker started again (pid N)",
                    "build-worker exited (code 7); restarting in 20 ms (restart 2 of 3), log: " + log,
                    "build-worker started again (pid N)",
                    "build-worker exited (code 7); restarting in 40 ms (restart 3 of 3), log: " + log,
                    "build-worker started again (pid N)",
                    "build-worker exited (code 7) 4 times within 1 min; not restarting it again. Its log: " + log);
            assertThat(child.state()).isEqualTo(ProcessSupervisor.State.GAVE_UP);
            assertThat(child.restarts()).isEqualTo(3);
            assertThat(child.process().isAlive()).isFalse();
            assertThat(run.resolve("build-worker.pid")).doesNotExist();
        }
    }

    @Test
    void exitsOlderThanTheWindowAreForgotten(@TempDir Path run) throws Exception {
        List<String> console = new CopyOnWriteArrayList<>();
        // Each restart waits longer than the window lasts, so every crash is the first of its window.
        RestartPolicy policy = new RestartPolicy(Duration.ofMillis(20), Duration.ofMillis(20), 1, Duration.ofMillis(1));
        try (ProcessSupervisor supervisor = new ProcessSupervisor(run, console::add)) {
            ProcessSupervisor.Child child = crasher(supervisor, "gateway", run, "1");
            supervisor.supervise(child, policy, null);

            await("three restarts", () -> child.restarts() >= 3);

            assertThat(console).filteredOn(line -> line.contains("exited")).allMatch(line ->
                    line.contains("restarting in 20 ms (restart 1 of 1)"));
            assertThat(child.state()).isNotEqualTo(ProcessSupervisor.State.GAVE_UP);
        }
    }

    @Test
    void aChildStoppedOrKilledOnPurposeIsNotRestarted(@TempDir Path run) throws Exception {
        List<String> console = new CopyOnWriteArrayList<>();
        try (ProcessSupervisor supervisor = new ProcessSupervisor(run, console::add)) {
            ProcessSupervisor.Child stopped = supervisor.startJava("stopped", List.of("-Xmx32m"), CLASSPATH,
                    Sleeper.class.getName(), List.of(), Map.of(), run.resolve("stopped.log"));
            ProcessSupervisor.Child killed = supervisor.startJava("killed", List.of("-Xmx32m"), CLASSPATH,
                    Sleeper.class.getName(), List.of(), Map.of(), run.resolve("killed.log"));
            ProcessSupervisor.Child canary = supervisor.startJava("canary", List.of("-Xmx32m"), CLASSPATH,
                    Sleeper.class.getName(), List.of(), Map.of(), run.resolve("canary.log"));
            for (ProcessSupervisor.Child child : List.of(stopped, killed, canary)) {
                supervisor.supervise(child, FAST, null);
            }

            supervisor.stop(stopped);
            supervisor.kill(killed);
            await("the supervisor saw both exits", () -> stopped.exitsSeen() == 1 && killed.exitsSeen() == 1);
            assertThat(console).isEmpty();

            // The same supervisor does restart a child killed from outside, like `kill -9`.
            canary.process().toHandle().destroyForcibly();
            // The restart is counted before its "started again" line is written: wait for both.
            await("the canary's restart", () -> canary.restarts() == 1 && console.size() >= 2);

            assertThat(console).containsExactly(
                    "canary exited (code 137); restarting in 10 ms (restart 1 of 3), log: " + run.resolve("canary.log"),
                    "canary started again (pid " + canary.process().pid() + ")");
            assertThat(stopped.state()).isEqualTo(ProcessSupervisor.State.STOPPED);
            assertThat(killed.state()).isEqualTo(ProcessSupervisor.State.STOPPED);
            assertThat(stopped.process().isAlive()).isFalse();
            assertThat(killed.process().isAlive()).isFalse();
            assertThat(run.resolve("stopped.pid")).doesNotExist();
            assertThat(run.resolve("killed.pid")).doesNotExist();
        }
    }

    @Test
    void theBackoffDoublesUpToItsMaximum() {
        RestartPolicy policy = RestartPolicy.defaults();
        assertThat(java.util.stream.IntStream.rangeClosed(1, 7).mapToObj(policy::delay).map(Duration::toSeconds))
                .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
    }

    /** Stands in for the launcher: starts one supervised child, prints its pid, then waits to be killed. */
    public static final class Launcher {
        public static void main(String[] args) throws InterruptedException {
            ProcessSupervisor supervisor = new ProcessSupervisor(Path.of(args[0]));
            ProcessSupervisor.Child child = supervisor.startJava("sleeper", List.of("-Xmx32m"), CLASSPATH,
                    Sleeper.class.getName(), List.of(), Map.of(), Path.of(args[0]).resolve("sleeper.log"));
            System.out.println(child.process().pid());
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
        }
    }

    @Test
    void childrenStopWhenTheLauncherIsKilled(@TempDir Path run) throws Exception {
        Process launcher = new ProcessBuilder(ProcessSupervisor.javaExecutable(), "-Xmx64m", "-cp", CLASSPATH,
                Launcher.class.getName(), run.toString()).redirectErrorStream(true).start();
        try {
            long childPid;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                    StandardCharsets.UTF_8))) {
                childPid = Long.parseLong(out.readLine().trim());
            }
            ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
            assertThat(child.isAlive()).isTrue();

            launcher.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            // The watchdog in the child sees its parent gone and halts it.
            child.onExit().get(30, TimeUnit.SECONDS);
            assertThat(child.isAlive()).isFalse();
        } finally {
            launcher.destroyForcibly();
        }
    }

    @Test
    void theNextStartStopsWhatACrashedRunRecorded(@TempDir Path run) throws Exception {
        ProcessSupervisor crashed = new ProcessSupervisor(run);
        ProcessSupervisor.Child leftover = crashed.startJava("leftover", List.of("-Xmx32m"), CLASSPATH,
                Sleeper.class.getName(), List.of(), Map.of(), run.resolve("leftover.log"));
        assertThat(run.resolve("leftover.pid")).exists();

        new ProcessSupervisor(run).reapLeftovers();

        assertThat(leftover.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(run.resolve("leftover.pid")).doesNotExist();
    }

    @Test
    void aRecycledPidOfSomeoneElsesProcessIsLeftAlone(@TempDir Path run) throws Exception {
        Process stranger = new ProcessBuilder("sleep", "300").start();
        try {
            Files.createDirectories(run);
            Files.writeString(run.resolve("kafka.pid"), Long.toString(stranger.pid()));

            new ProcessSupervisor(run).reapLeftovers();

            assertThat(stranger.isAlive()).isTrue();
            assertThat(run.resolve("kafka.pid")).doesNotExist();
        } finally {
            stranger.destroyForcibly();
        }
    }

    @Test
    void aStalePostgresPidFileNamingSomeoneElseSparesThatProcess(@TempDir Path data) throws Exception {
        Process stranger = new ProcessBuilder("sleep", "300").start();
        try {
            Files.writeString(data.resolve("postmaster.pid"), stranger.pid() + "\n" + data + "\n");

            PostgresServer.stopLeftover(data);

            assertThat(stranger.isAlive()).isTrue();
            assertThat(data.resolve("postmaster.pid")).doesNotExist();
        } finally {
            stranger.destroyForcibly();
        }
    }

    @Test
    void aTakenPortFailsWithItsNumberAndOwner() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> Ports.requireFree(port, "PostgreSQL"))
                    .isInstanceOf(StackException.class)
                    .hasMessageContaining(Integer.toString(port))
                    .hasMessageContaining("PostgreSQL");
        }
    }
}
