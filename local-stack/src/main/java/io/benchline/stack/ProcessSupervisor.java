package io.benchline.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts child processes, remembers their pids in a run folder, and stops them in reverse order.
 * Every child JVM gets {@link ParentWatchdog} as its main class, so it exits when this process dies,
 * even by SIGKILL; pids left by a crashed run are killed at the next start.
 */
public final class ProcessSupervisor implements AutoCloseable {
    private final Path runDir;
    private final List<Child> children = Collections.synchronizedList(new ArrayList<>());

    public ProcessSupervisor(Path runDir) {
        this.runDir = runDir;
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public record Child(String name, Process process, Path log) {
    }

    /** Kills processes recorded by an earlier run that did not stop cleanly. */
    public void reapLeftovers() {
        try (var files = Files.list(runDir)) {
            for (Path pidFile : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
                killRecorded(pidFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void killRecorded(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            // Only kill what is recognizably ours: the command line names this run folder.
            String marker = pidFile.getParent().toAbsolutePath().toString();
            if (handle.isPresent() && handle.get().info().commandLine().map(c -> c.contains(marker)).orElse(false)) {
                System.out.println("stopping leftover process " + pid + " (" + pidFile.getFileName() + ")");
                destroy(handle.get(), Duration.ofSeconds(10));
            }
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // a pid file we cannot read or delete is not worth failing the start for
            }
        }
    }

    /**
     * Starts a JVM child: {@code java [jvmArgs] -cp <classpath> io.benchline.stack.ParentWatchdog <mainClass> [args]}.
     * The watchdog ends the child when this process goes away.
     */
    public Child startJava(String name, List<String> jvmArgs, String classpath, String mainClass, List<String> args,
            Map<String, String> env, Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(jvmArgs);
        cmd.add("-Dbenchline.run-dir=" + runDir.toAbsolutePath());
        cmd.add("-cp");
        cmd.add(classpath + java.io.File.pathSeparator + ownClasspath());
        cmd.add(ParentWatchdog.class.getName());
        cmd.add(String.valueOf(ProcessHandle.current().pid()));
        cmd.add(mainClass);
        cmd.addAll(args);
        return start(name, cmd, env, log);
    }

    public Child start(String name, List<String> command, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            Process process = pb.start();
            Files.writeString(runDir.resolve(name + ".pid"), Long.toString(process.pid()), StandardCharsets.UTF_8);
            Child child = new Child(name, process, log);
            children.add(child);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public void stop(Child child) {
        destroy(child.process().toHandle(), Duration.ofSeconds(20));
        children.remove(child);
        try {
            Files.deleteIfExists(runDir.resolve(child.name() + ".pid"));
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * Kills a child with SIGKILL (no shutdown hooks, nothing flushed: what a crash or the kernel's OOM killer does),
     * waits until it is gone and forgets it. Fault tests use it; {@link #stop} is the clean way.
     */
    public void kill(Child child) {
        List<ProcessHandle> descendants = child.process().toHandle().descendants().toList();
        child.process().toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            child.process().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.remove(child);
        try {
            Files.deleteIfExists(runDir.resolve(child.name() + ".pid"));
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** SIGTERM, wait, then SIGKILL; descendants too. */
    static void destroy(ProcessHandle handle, Duration grace) {
        List<ProcessHandle> descendants = handle.descendants().toList();
        handle.destroy();
        try {
            handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            handle.destroyForcibly();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() {
        List<Child> reversed;
        synchronized (children) {
            reversed = new ArrayList<>(children);
        }
        Collections.reverse(reversed);
        for (Child child : reversed) {
            stop(child);
        }
    }

    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Where this class was loaded from: a jar or a classes folder. */
    static String ownClasspath() {
        try {
            return Path.of(ParentWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException("cannot locate the local-stack classes", e);
        }
    }
}
