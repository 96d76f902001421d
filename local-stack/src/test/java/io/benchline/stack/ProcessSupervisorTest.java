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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a killed launcher leaves behind must never outlive it for long, nor block the next start. */
class ProcessSupervisorTest {
    private static final String CLASSPATH = System.getProperty("java.class.path");

    /** A child that does nothing until it is stopped. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
        }
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
