package io.benchline.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code benchline-local up|down [options]}: runs or stops the whole platform locally.
 * Every option also reads an environment variable (shown in {@code --help}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] argv) {
        quietLibraryLogging();
        Deque<String> args = new ArrayDeque<>(List.of(argv));
        String command = args.isEmpty() ? "up" : args.pop();
        try {
            switch (command) {
                case "up" -> up(args);
                case "down" -> down(args);
                case "help", "--help", "-h" -> System.out.println(HELP);
                default -> {
                    System.err.println("unknown command " + command + "\n" + HELP);
                    System.exit(2);
                }
            }
        } catch (StackException e) {
            System.err.println("benchline: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Embedded PostgreSQL and the Kafka admin client log every step at INFO; the launcher prints its own progress. */
    private static void quietLibraryLogging() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler handler : root.getHandlers()) {
            handler.setLevel(java.util.logging.Level.WARNING);
        }
    }

    static final String HELP = """
            usage: benchline-local up|down [options]
              --dir DIR             data folder (BENCHLINE_DIR, default .benchline)
              --port N              public base URL port (BENCHLINE_PORT, default 8080)
              --service-ports N     first of six service ports, the dashboard's the last (BENCHLINE_SERVICE_PORTS,
                                    default 8081: 8081-8086)
              --postgres-port N     (BENCHLINE_POSTGRES_PORT, default 15432)
              --kafka-port N        (BENCHLINE_KAFKA_PORT, default 19092; controller N+1)
              --s3-port N           (BENCHLINE_S3_PORT, default 19000)
              --no-demo             do not create or start the demo procedure, station and agent
              --full-jit            services with the JVM's full JIT (C2), as in production; slower to start
                                    and more memory (default: C1 only)
              --instances SPEC      instances per service, e.g. build-worker=3,station-dispatcher=2,dashboard=2 or
                                    all=2 (BENCHLINE_INSTANCES, default 1 each); instance k of a service listens
                                    on its first port + 6 k and logs to logs/<service>-<k+1>.log
              --dashboard-session-secret S
                                    the dashboard's session secret, 32+ characters
                                    (BENCHLINE_DASHBOARD_SESSION_SECRET; default: a new random one each run,
                                    so a restart of the stack signs everyone out)
              --traces URL          every service exports its traces to this OTLP/HTTP receiver, e.g.
                                    http://127.0.0.1:4318 (BENCHLINE_TRACES; default: traces off)
              --restarts N          restarts of a crashed process within the window before the stack gives up
                                    on it and stops (BENCHLINE_RESTARTS, default 5; 0: never restart)
              --restart-window D    (BENCHLINE_RESTART_WINDOW, default 5m)
              --restart-delay D     first wait before a restart, doubling each time (BENCHLINE_RESTART_DELAY,
                                    default 1s)
              --restart-max-delay D (BENCHLINE_RESTART_MAX_DELAY, default 30s)
            Durations: 500ms, 2s, 5m, 1h.
            """;

    private static StackOptions options(Deque<String> args, boolean[] demo) {
        Path dir = Path.of(env("BENCHLINE_DIR", ".benchline"));
        int port = Integer.parseInt(env("BENCHLINE_PORT", "8080"));
        int services = Integer.parseInt(env("BENCHLINE_SERVICE_PORTS", "8081"));
        int pg = Integer.parseInt(env("BENCHLINE_POSTGRES_PORT", "15432"));
        int kafka = Integer.parseInt(env("BENCHLINE_KAFKA_PORT", "19092"));
        int s3 = Integer.parseInt(env("BENCHLINE_S3_PORT", "19000"));
        int restarts = count("BENCHLINE_RESTARTS", env("BENCHLINE_RESTARTS", "5"));
        Duration window = duration("BENCHLINE_RESTART_WINDOW", env("BENCHLINE_RESTART_WINDOW", "5m"));
        Duration delay = duration("BENCHLINE_RESTART_DELAY", env("BENCHLINE_RESTART_DELAY", "1s"));
        boolean[] fullJit = {false};
        Map<String, Integer> instances = StackOptions.parseInstances(env("BENCHLINE_INSTANCES", ""));
        Duration maxDelay = duration("BENCHLINE_RESTART_MAX_DELAY", env("BENCHLINE_RESTART_MAX_DELAY", "30s"));
        String traces = env("BENCHLINE_TRACES", "");
        String sessionSecret = env("BENCHLINE_DASHBOARD_SESSION_SECRET", "");
        while (!args.isEmpty()) {
            String flag = args.pop();
            switch (flag) {
                case "--dir" -> dir = Path.of(value(flag, args));
                case "--port" -> port = number(flag, args);
                case "--service-ports" -> services = number(flag, args);
                case "--postgres-port" -> pg = number(flag, args);
                case "--kafka-port" -> kafka = number(flag, args);
                case "--s3-port" -> s3 = number(flag, args);
                case "--no-demo" -> demo[0] = false;
                case "--full-jit" -> fullJit[0] = true;
                case "--instances" -> instances = StackOptions.parseInstances(value(flag, args));
                case "--traces" -> traces = value(flag, args);
                case "--dashboard-session-secret" -> sessionSecret = value(flag, args);
                case "--restarts" -> restarts = count(flag, value(flag, args));
                case "--restart-window" -> window = duration(flag, value(flag, args));
                case "--restart-delay" -> delay = duration(flag, value(flag, args));
                case "--restart-max-delay" -> maxDelay = duration(flag, value(flag, args));
                default -> throw new StackException("unknown option " + flag + "\n" + HELP);
            }
        }
        StackOptions d = StackOptions.defaults(dir.toAbsolutePath().normalize());
        RestartPolicy policy;
        try {
            policy = new RestartPolicy(delay, maxDelay.compareTo(delay) < 0 ? delay : maxDelay, restarts, window);
        } catch (IllegalArgumentException e) {
            throw new StackException(e.getMessage());
        }
        StackOptions options = new StackOptions(d.dir(), port, pg, kafka, kafka + 1, s3, services, d.partitions(),
                d.serviceHeap(), d.serviceStartTimeout(), false, d.extraEnv(), policy, fullJit[0], instances);
        if (!sessionSecret.isBlank()) {
            if (sessionSecret.length() < 32) {
                throw new StackException("--dashboard-session-secret needs 32 or more characters, not "
                        + sessionSecret.length());
            }
            options = options.withExtraEnv(Map.of(LocalStack.DASHBOARD,
                    Map.of("BENCHLINE_DASHBOARD_SESSION_SECRET", sessionSecret)));
        }
        if (traces.isBlank()) {
            return options;
        }
        if (!traces.startsWith("http://") && !traces.startsWith("https://")) {
            throw new StackException("--traces: " + traces + " is not an http(s) URL of an OTLP/HTTP receiver");
        }
        return options.withTraces(traces);
    }

    private static void up(Deque<String> args) {
        boolean[] demo = {true};
        StackOptions options = options(args, demo);
        StackLayout layout = StackLayout.detect();
        Path launcherPid = options.dir().resolve("run/launcher.pid");
        LocalStack stack = LocalStack.start(options, layout);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicReference<LocalStack.Down> down = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stopping.compareAndSet(false, true)) {
                System.out.println("\nbenchline: stopping …");
                stop(stack, launcherPid);
            }
            stopped.countDown();
        }, "benchline-stop"));
        // A process given up after repeated crashes (or PostgreSQL gone) ends the whole stack with status 1: a
        // stack with a part missing only looks like it runs, and the reason stays the last thing on the console.
        stack.onDown(part -> {
            if (down.compareAndSet(null, part)) {
                stopped.countDown();
            }
        });
        try {
            Files.writeString(launcherPid, Long.toString(ProcessHandle.current().pid()));
            String banner;
            if (demo[0]) {
                Demo d = new Demo(stack);
                d.setUp();
                banner = d.banner();
            } else {
                banner = "\nBenchline is running at " + stack.baseUrl() + "\nDashboard: " + stack.dashboardUrl()
                        + " (sign in with the API key)\nAPI key: " + stack.apiKey() + "\n";
            }
            System.out.println(banner);
            System.out.printf("benchline: started in %.1f s; the stack's processes use %d MiB resident memory%n",
                    stack.uptime().toMillis() / 1000.0, stack.residentBytes() / (1024 * 1024));
            stopped.await();
            LocalStack.Down part = down.get();
            if (part != null && stopping.compareAndSet(false, true)) {
                System.out.println("benchline: stopping the stack, " + part.name() + " is down for good …");
                stop(stack, launcherPid);
                System.err.println("benchline: stopped because " + part.name() + " is down (" + part.reason() + ")"
                        + (part.log() != null ? "; its log: " + part.log() + ". Fix what it shows, then start"
                                : ". Start")
                        + " ./benchline-local again.");
                System.exit(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("benchline: " + e.getMessage());
            stack.close();
            System.exit(1);
        }
    }

    private static void stop(LocalStack stack, Path launcherPid) {
        stack.close();
        try {
            Files.deleteIfExists(launcherPid);
        } catch (Exception ignored) {
            // best effort
        }
    }

    /** Stops a stack started from another terminal (or left by a crash). */
    private static void down(Deque<String> args) {
        StackOptions options = options(args, new boolean[] {true});
        Path run = options.dir().resolve("run");
        Path launcherPid = run.resolve("launcher.pid");
        try {
            if (Files.exists(launcherPid)) {
                long pid = Long.parseLong(Files.readString(launcherPid).trim());
                ProcessHandle.of(pid).ifPresent(h -> {
                    System.out.println("benchline: stopping launcher " + pid);
                    ProcessSupervisor.destroy(h, Duration.ofSeconds(60));
                });
                Files.deleteIfExists(launcherPid);
            }
            if (Files.isDirectory(run)) {
                new ProcessSupervisor(run).reapLeftovers();
            }
            System.out.println("benchline: stopped");
        } catch (Exception e) {
            throw new StackException("cannot stop: " + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String value(String flag, Deque<String> args) {
        if (args.isEmpty()) {
            throw new StackException(flag + " needs a value");
        }
        return args.pop();
    }

    private static int count(String flag, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new StackException(flag + " needs a number of 0 or more, not " + v);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    /** 500ms, 2s, 5m, 1h; a bare number is seconds. */
    static Duration duration(String flag, String v) {
        Matcher m = DURATION.matcher(v.trim());
        if (!m.matches()) {
            throw new StackException(flag + " needs a duration such as 500ms, 2s or 5m, not " + v);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static int number(String flag, Deque<String> args) {
        String v = value(flag, args);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new StackException(flag + " needs a port number, not " + v);
        }
    }
}
