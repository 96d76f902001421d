package io.benchline.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Starts child processes, remembers their pids in a run folder, and stops them in reverse order.
 * Every child JVM gets {@link ParentWatchdog} as its main class, so it exits when this process dies,
 * even by SIGKILL; pids left by a crashed run are killed at the next start.
 *
 * <p>A child handed to {@link #supervise} is restarted when it exits on its own, with the backoff of its
 * {@link RestartPolicy}, and each exit and restart is said on the console; after too many exits within the
 * policy's window it is given up, said on the console with its log, and the {@link #onGiveUp} listeners are told.
 * An exit the supervisor asked for ({@link #stop}, {@link #kill}, {@link #close}) is never restarted.
 */
public final class ProcessSupervisor implements AutoCloseable {
    private final Path runDir;
    private final Consumer<String> console;
    private final List<Child> children = Collections.synchronizedList(new ArrayList<>());
    private final List<Consumer<Child>> giveUpListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "benchline-supervisor");
        thread.setDaemon(true);
        return thread;
    });
    /** The timer, except that an exit seen after {@link #close} is dropped instead of failing the reaper thread. */
    private final Executor exits = task -> {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException closed) {
            // closing: every child is being stopped on purpose
        }
    };
    private volatile boolean closing;

    public ProcessSupervisor(Path runDir) {
        this(runDir, System.out::println);
    }

    /** @param console where exits, restarts and give-ups are said (the launcher's terminal) */
    public ProcessSupervisor(Path runDir, Consumer<String> console) {
        this.runDir = runDir;
        this.console = console;
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a supervised child is doing. */
    public enum State {
        /** its process runs (or exited a moment ago and the supervisor has not seen it yet) */
        RUNNING,
        /** it exited on its own and waits for its restart */
        RESTARTING,
        /** the supervisor stopped it on purpose */
        STOPPED,
        /** it exited too often within its policy's window and is not restarted again */
        GAVE_UP
    }

    /** One child: its name, log and command stay; its process changes with each restart. */
    public static final class Child {
        private final String name;
        private final List<String> command;
        private final Map<String, String> env;
        private final Path log;
        private Process process;
        private State state = State.RUNNING;
        private RestartPolicy policy;
        private BooleanSupplier ready;
        /** System.nanoTime() of the exits within the policy's window, oldest first. */
        private final Deque<Long> exits = new ArrayDeque<>();
        private ScheduledFuture<?> pendingRestart;
        private int restarts;
        private int exitsSeen;
        private int lastExitCode;

        private Child(String name, List<String> command, Map<String, String> env, Path log, Process process) {
            this.name = name;
            this.command = List.copyOf(command);
            this.env = Map.copyOf(env);
            this.log = log;
            this.process = process;
        }

        public String name() {
            return name;
        }

        /** The current process (a restart replaces it). */
        public synchronized Process process() {
            return process;
        }

        public Path log() {
            return log;
        }

        public synchronized State state() {
            return state;
        }

        /** Restarts so far, over the child's whole life. */
        public synchronized int restarts() {
            return restarts;
        }

        /** Exits of a supervised child the supervisor has handled, the ones it asked for included. */
        public synchronized int exitsSeen() {
            return exitsSeen;
        }

        /** Exit code of the last exit the supervisor saw (137 for SIGKILL). */
        public synchronized int lastExitCode() {
            return lastExitCode;
        }
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
        Child child = new Child(name, command, env, log, launch(name, command, env, log));
        children.add(child);
        return child;
    }

    private Process launch(String name, List<String> command, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            Process process = pb.start();
            Files.writeString(runDir.resolve(name + ".pid"), Long.toString(process.pid()), StandardCharsets.UTF_8);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /**
     * From now on, restarts the child when it exits without being asked to, following {@code policy}.
     * Call it once the child is up, so that a child failing its first start fails the start instead.
     *
     * @param ready null, or tells when a restarted child serves again (said on the console)
     */
    public void supervise(Child child, RestartPolicy policy, BooleanSupplier ready) {
        Process process;
        synchronized (child) {
            child.policy = policy;
            child.ready = ready;
            process = child.process;
        }
        watch(child, process);
    }

    /** Told, on the supervisor's thread, about each child that is given up. */
    public void onGiveUp(Consumer<Child> listener) {
        giveUpListeners.add(listener);
    }

    private void watch(Child child, Process process) {
        process.onExit().thenRunAsync(() -> exited(child, process), exits);
    }

    private void exited(Child child, Process process) {
        String message;
        boolean gaveUp = false;
        synchronized (child) {
            if (child.process != process) {
                return;
            }
            child.exitsSeen++;
            child.lastExitCode = process.exitValue();
            // An exit the supervisor asked for: nothing to do.
            if (closing || child.state != State.RUNNING || child.policy == null) {
                return;
            }
            RestartPolicy policy = child.policy;
            long now = System.nanoTime();
            child.exits.addLast(now);
            while (now - child.exits.peekFirst() > policy.window().toNanos()) {
                child.exits.removeFirst();
            }
            int restart = child.exits.size();
            if (restart > policy.maxRestarts()) {
                child.state = State.GAVE_UP;
                gaveUp = true;
                deletePidFile(child);
                message = policy.maxRestarts() == 0
                        ? child.name + " exited (code " + child.lastExitCode + "); restarts are off, so it stays down."
                                + " Its log: " + child.log
                        : child.name + " exited (code " + child.lastExitCode + ") " + restart + " times within "
                                + human(policy.window()) + "; not restarting it again. Its log: " + child.log;
            } else {
                Duration delay = policy.delay(restart);
                child.state = State.RESTARTING;
                child.pendingRestart = timer.schedule(() -> relaunch(child, process, restart), delay.toMillis(),
                        TimeUnit.MILLISECONDS);
                message = child.name + " exited (code " + child.lastExitCode + "); restarting in " + human(delay)
                        + " (restart " + restart + " of " + policy.maxRestarts() + "), log: " + child.log;
            }
        }
        console.accept(message);
        if (gaveUp) {
            for (Consumer<Child> listener : giveUpListeners) {
                listener.accept(child);
            }
        }
    }

    private void relaunch(Child child, Process crashed, int restart) {
        Process process;
        BooleanSupplier ready;
        String failure = null;
        synchronized (child) {
            if (closing || child.state != State.RESTARTING || child.process != crashed) {
                return;
            }
            try {
                Files.writeString(child.log, "---- benchline: restart " + restart + " of " + child.name
                        + " after exit code " + child.lastExitCode + " ----\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                process = launch(child.name, child.command, child.env, child.log);
            } catch (IOException | UncheckedIOException e) {
                child.state = State.GAVE_UP;
                process = null;
                failure = e.getMessage();
            }
            if (process == null) {
                ready = null;
            } else {
                child.process = process;
                child.state = State.RUNNING;
                child.restarts++;
                ready = child.ready;
            }
        }
        if (process == null) {
            console.accept("cannot restart " + child.name + " (" + failure + "); it stays down. Its log: " + child.log);
            giveUpListeners.forEach(listener -> listener.accept(child));
            return;
        }
        Process started = process;
        console.accept(child.name + " started again (pid " + started.pid() + ")");
        watch(child, started);
        if (ready != null) {
            Thread waiter = new Thread(() -> sayWhenReady(child, started, ready), "benchline-ready-" + child.name);
            waiter.setDaemon(true);
            waiter.start();
        }
    }

    private void sayWhenReady(Child child, Process process, BooleanSupplier ready) {
        while (!closing && process.isAlive() && child.process() == process) {
            if (ready.getAsBoolean()) {
                console.accept(child.name + " is ready again");
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops the child on purpose (SIGTERM, then SIGKILL after 20 s): it is not restarted. */
    public void stop(Child child) {
        destroy(markStopped(child).toHandle(), Duration.ofSeconds(20));
        forget(child);
    }

    /** Kills the child on purpose with SIGKILL and waits for it to be gone: it is not restarted. */
    public void kill(Child child) {
        Process process = markStopped(child);
        List<ProcessHandle> descendants = process.toHandle().descendants().toList();
        process.toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        forget(child);
    }

    private static Process markStopped(Child child) {
        synchronized (child) {
            child.state = State.STOPPED;
            if (child.pendingRestart != null) {
                child.pendingRestart.cancel(false);
            }
            return child.process;
        }
    }

    private void forget(Child child) {
        children.remove(child);
        deletePidFile(child);
    }

    private void deletePidFile(Child child) {
        try {
            Files.deleteIfExists(runDir.resolve(child.name + ".pid"));
        } catch (IOException ignored) {
            // best effort
        }
    }

    static String human(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + " min";
        }
        return millis % 1000 == 0 ? millis / 1000 + " s"
                : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
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
        closing = true;
        List<Child> reversed;
        synchronized (children) {
            reversed = new ArrayList<>(children);
        }
        Collections.reverse(reversed);
        for (Child child : reversed) {
            stop(child);
        }
        timer.shutdownNow();
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
