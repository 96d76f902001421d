package io.benchline.stack;

import io.benchline.events.Topics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The whole platform on one machine without containers: PostgreSQL, Kafka, S3Proxy, the five
 * services, the dashboard and the gateway (the one public base URL) as their own processes, and (optionally) a demo
 * procedure with a station agent. Data lives under {@link StackOptions#dir()}, so a restart keeps it.
 */
public final class LocalStack implements AutoCloseable {
    /** Services in start order, with their databases (null: none). */
    public static final List<String> SERVICES = List.of("deployment-service", "webhook-service", "artifact-store",
            "station-dispatcher", "build-worker", "dashboard");
    /**
     * Port offsets from {@link StackOptions#servicePortBase()}, as ARCHITECTURE.md's port table lists them; instance
     * k of a service listens on its first instance's port + {@code k * PORT_ORDER.size()}.
     */
    static final List<String> PORT_ORDER = List.of("webhook-service", "deployment-service", "build-worker",
            "artifact-store", "station-dispatcher", "dashboard");
    /**
     * The web dashboard (module {@code dashboard}): a client of the public API through the gateway, with no database,
     * no Kafka and no internal token; its pages are the gateway's {@code /}.
     */
    public static final String DASHBOARD = "dashboard";
    /** The public gateway (module {@code gateway}), started like a service on {@link StackOptions#gatewayPort()}. */
    public static final String GATEWAY = "gateway";
    public static final Map<String, String> DATABASES = Map.of(
            "deployment-service", "benchline_deployments",
            "webhook-service", "benchline_webhooks",
            "artifact-store", "benchline_artifacts",
            "station-dispatcher", "benchline_dispatcher");

    private final StackOptions options;
    private final StackLayout layout;
    private final ProcessSupervisor supervisor;
    private final Properties credentials;
    /** The dashboard's session secret: new for each run of the stack (a restart signs everyone out). */
    private final String dashboardSessionSecret = random(32);
    /** Every instance's port, by instance name ({@link #instanceName}); a service's first instance is its own name. */
    private final Map<String, Integer> servicePorts = new LinkedHashMap<>();
    /** The service each instance name runs. */
    private final Map<String, String> instanceOf = new LinkedHashMap<>();
    private volatile PostgresServer postgres;
    private volatile KafkaServer kafka;
    private S3ProxyServer s3;
    private ProcessSupervisor.Child gateway;
    private final Map<String, ProcessSupervisor.Child> services = new LinkedHashMap<>();
    private final List<Consumer<Down>> downListeners = new ArrayList<>();
    private final List<Down> downs = new ArrayList<>();
    private volatile boolean closing;
    private final long startedAt = System.nanoTime();

    /**
     * A part of the stack that is down for good: given up by the supervisor, or PostgreSQL gone.
     *
     * @param log its log file, or null (PostgreSQL's output goes to the launcher's logging)
     */
    public record Down(String name, String reason, Path log) {
    }

    private LocalStack(StackOptions options, StackLayout layout) {
        this.options = options;
        this.layout = layout;
        // Exits and restarts are said on the launcher's console even when the stack is otherwise quiet (tests).
        this.supervisor = new ProcessSupervisor(options.dir().resolve("run"),
                line -> System.out.println("benchline: " + line));
        supervisor.onGiveUp(child -> down(new Down(child.name(), "last exit code " + child.lastExitCode() + " after "
                + child.restarts() + (child.restarts() == 1 ? " restart" : " restarts"), child.log())));
        this.credentials = loadOrCreateCredentials(options.dir().resolve("credentials.properties"));
        for (String service : SERVICES) {
            for (int k = 0; k < options.instances(service); k++) {
                String name = instanceName(service, k);
                servicePorts.put(name, options.servicePortBase() + PORT_ORDER.indexOf(service) + k * PORT_ORDER.size());
                instanceOf.put(name, service);
            }
        }
    }

    /**
     * The name of instance {@code k} (from 0) of a service: the service's own name for the first one, then
     * {@code <service>-2}, {@code -3}, … It names the process, its log ({@code logs/<name>.log}) and its
     * {@code BENCHLINE_INSTANCE_ID}; its port is the first instance's plus {@code k} times the number of services
     * ({@link #PORT_ORDER}: 6).
     */
    public static String instanceName(String service, int k) {
        return k == 0 ? service : service + "-" + (k + 1);
    }

    /** The instance names of a service, first instance first. */
    public List<String> instances(String service) {
        return instanceOf.entrySet().stream().filter(e -> e.getValue().equals(service)).map(Map.Entry::getKey).toList();
    }

    /** The base URLs of every instance of a service, first instance first. */
    public List<String> serviceUrls(String service) {
        return instances(service).stream().map(this::serviceUrl).toList();
    }

    /** Starts everything; on failure stops what it started and rethrows. */
    public static LocalStack start(StackOptions options, StackLayout layout) {
        LocalStack stack = new LocalStack(options, layout);
        try {
            stack.startAll();
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() {
        Path dir = options.dir();
        // What a killed launcher left behind would hold the ports: stop it before checking them.
        supervisor.reapLeftovers();
        PostgresServer.stopLeftover(dir.resolve("postgres"));
        checkPorts();
        log("starting PostgreSQL, Kafka and S3Proxy …");
        CompletableFuture<Void> pg = CompletableFuture.runAsync(() -> {
            postgres = PostgresServer.start(dir.resolve("postgres"), options.postgresPort());
            DATABASES.values().forEach(postgres::createDatabase);
        });
        CompletableFuture<Void> kf = CompletableFuture.runAsync(() -> {
            kafka = KafkaServer.start(layout, supervisor, dir.resolve("kafka"), options.kafkaPort(),
                    options.kafkaControllerPort());
            kafka.createTopics(Topics.ALL, options.partitions());
        });
        CompletableFuture<Void> st = CompletableFuture.runAsync(() -> s3 = S3ProxyServer.start(layout, supervisor,
                dir.resolve("s3proxy"), dir.resolve("objects"), options.s3Port(), credentials.getProperty("s3.access-key"),
                credentials.getProperty("s3.secret-key")));
        join(CompletableFuture.allOf(pg, kf, st));
        log("starting services …");
        for (String instance : servicePorts.keySet()) {
            services.put(instance, startService(instance));
        }
        gateway = startGateway();
        for (String instance : servicePorts.keySet()) {
            int port = servicePorts.get(instance);
            ProcessSupervisor.Child child = services.get(instance);
            Waits.until(() -> ready(port), options.serviceStartTimeout(), instance, child.process(), child.log());
        }
        Waits.until(() -> ready(options.gatewayPort()), options.serviceStartTimeout(), GATEWAY, gateway.process(),
                gateway.log());
        superviseAll();
    }

    /**
     * Once everything is up: a service, the gateway, Kafka or S3Proxy that exits on its own is restarted with
     * {@link StackOptions#restarts()}. PostgreSQL runs detached under pg_ctl, not as a child: it is watched only,
     * and its exit is reported as down (the services cannot work without it; restart the stack).
     */
    private void superviseAll() {
        RestartPolicy policy = options.restarts();
        services.forEach((service, child) -> superviseService(service, child));
        supervisor.supervise(gateway, policy, () -> ready(options.gatewayPort()));
        supervisor.supervise(kafka.child(), policy, kafka::answers);
        supervisor.supervise(s3.child(), policy, s3::answers);
        watchPostgres(postgres);
    }

    /** Reports the server's exit as down, unless the stack is closing or {@link #killPostgres} took it on purpose. */
    private void watchPostgres(PostgresServer server) {
        server.postmaster().ifPresent(postmaster -> postmaster.onExit().thenRun(() -> {
            if (!closing && postgres == server) {
                System.out.println("benchline: PostgreSQL (pid " + postmaster.pid() + ") exited; the local stack does"
                        + " not restart it and the services fail until it is back. Its data: " + server.dataDir());
                down(new Down("PostgreSQL", "it exited; data in " + server.dataDir(), null));
            }
        }));
    }

    private void superviseService(String instance, ProcessSupervisor.Child child) {
        supervisor.supervise(child, options.restarts(), () -> ready(servicePorts.get(instance)));
    }

    /**
     * Told (on a supervisor thread) when a part of the stack is down for good; see {@link Down}. A part that went
     * down before the listener was added is told at once.
     */
    public void onDown(Consumer<Down> listener) {
        synchronized (downs) {
            downListeners.add(listener);
            downs.forEach(listener);
        }
    }

    private void down(Down down) {
        if (closing) {
            return;
        }
        synchronized (downs) {
            downs.add(down);
            downListeners.forEach(listener -> listener.accept(down));
        }
    }

    private void checkPorts() {
        Ports.requireFree(options.gatewayPort(), "the gateway");
        Ports.requireFree(options.postgresPort(), "PostgreSQL");
        servicePorts.forEach((service, port) -> Ports.requireFree(port, service));
    }

    private ProcessSupervisor.Child startService(String instance) {
        String service = instanceOf.get(instance);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(servicePorts.get(instance)));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        if (service.equals(DASHBOARD)) {
            // A client of the public API like any other (the gateway's base URL), and Kafka for its live pages' hints:
            // nothing of the platform's own secrets.
            env.put("BENCHLINE_DASHBOARD_API_URL", baseUrl());
            env.put("BENCHLINE_DASHBOARD_SESSION_SECRET", dashboardSessionSecret);
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap());
            return startQuarkus(service, instance, env, serviceJvm(options));
        }
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap());
        env.put("BENCHLINE_PUBLIC_URL", baseUrl());
        env.put("BENCHLINE_AUTH_INTERNAL_TOKEN", credentials.getProperty("internal-token"));
        env.put("BENCHLINE_AUTH_DEPLOYMENT_SERVICE_URL", serviceUrl("deployment-service"));
        env.put("BENCHLINE_SERVICES_DEPLOYMENT_URL", serviceUrl("deployment-service"));
        env.put("BENCHLINE_SERVICES_ARTIFACT_URL", serviceUrl("artifact-store"));
        env.put("BENCHLINE_SERVICES_DISPATCHER_URL", serviceUrl("station-dispatcher"));
        // The instance's name is a stable, unique instance id: Kafka static group membership lets a restarted instance
        // take its partitions back at once (StaticGroupMembership), and no two instances fence each other.
        env.put("BENCHLINE_INSTANCE_ID", instance);
        String database = DATABASES.get(service);
        if (database != null) {
            // From the options, not the server object: a service may be (re)started while PostgreSQL is down.
            env.put("QUARKUS_DATASOURCE_REACTIVE_URL", PostgresServer.reactiveUrl(options.postgresPort(), database));
            env.put("QUARKUS_DATASOURCE_JDBC_URL", PostgresServer.jdbcUrl(options.postgresPort(), database));
            env.put("QUARKUS_DATASOURCE_USERNAME", PostgresServer.USER);
            env.put("QUARKUS_DATASOURCE_PASSWORD", PostgresServer.PASSWORD);
        }
        if (service.equals("deployment-service")) {
            env.put("BENCHLINE_BOOTSTRAP_API_KEY", credentials.getProperty("api-key"));
            env.put("BENCHLINE_BOOTSTRAP_ORG_NAME", "local");
            env.put("BENCHLINE_SECRETS_KEY", credentials.getProperty("secrets-key"));
        }
        if (ServiceEnvironment.CLONE_URL_CHECKERS.contains(service)) {
            env.putAll(ServiceEnvironment.LOCAL_REPOSITORIES);
        }
        if (service.equals("artifact-store")) {
            env.put("BENCHLINE_S3_ENDPOINT", s3.endpoint());
            env.put("BENCHLINE_S3_PUBLIC_ENDPOINT", s3.endpoint());
            env.put("BENCHLINE_S3_ACCESS_KEY", s3.accessKey());
            env.put("BENCHLINE_S3_SECRET_KEY", s3.secretKey());
            env.put("BENCHLINE_S3_REGION", "us-east-1");
        }
        return startQuarkus(service, instance, env, serviceJvm(options));
    }

    /** The JVM flags of a service: a small serial-GC heap, and C1 only unless {@link StackOptions#fullJit()}. */
    static List<String> serviceJvm(StackOptions options) {
        List<String> jvm = new ArrayList<>(List.of("-Xms64m", "-Xmx" + options.serviceHeap(), "-XX:+UseSerialGC",
                "-Xss512k"));
        if (!options.fullJit()) {
            jvm.add("-XX:TieredStopAtLevel=1");
        }
        return jvm;
    }

    private ProcessSupervisor.Child startGateway() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(options.gatewayPort()));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        // Every instance of a service, comma-separated: the gateway balances over them.
        ServiceEnvironment.GATEWAY_UPSTREAMS.forEach((name, service) -> env.put(name,
                String.join(",", serviceUrls(service))));
        // Every public request passes here, so it keeps the full JIT (the services stop at C1 to start faster).
        return startQuarkus(GATEWAY, GATEWAY, env, List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-Xss512k"));
    }

    private ProcessSupervisor.Child startQuarkus(String module, String name, Map<String, String> env, List<String> jvm) {
        env.putAll(options.extraEnv().getOrDefault(module, Map.of()));
        List<String> missing = ServiceEnvironment.required(module).stream().filter(k -> !env.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(module + " would start without " + missing);
        }
        Path jar = layout.quarkusRunJar(module);
        return supervisor.startJava(name, new ArrayList<>(jvm), jar.toString(),
                "io.quarkus.bootstrap.runner.QuarkusEntryPoint", List.of(), env,
                options.dir().resolve("logs").resolve(name + ".log"));
    }

    private static boolean ready(int port) {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Stops one service process, or the gateway, on purpose (tests use this to kill and restart a service): the
     * supervisor does not restart it; {@link #restartService} does.
     */
    public void stopService(String service) {
        ProcessSupervisor.Child child = takeChild(service);
        if (child != null) {
            supervisor.stop(child);
        }
    }

    /**
     * Kills one service (or the gateway) on purpose with SIGKILL, without letting it shut down cleanly; like
     * {@link #stopService}, it stays down.
     */
    public void killService(String service) {
        ProcessSupervisor.Child child = takeChild(service);
        if (child != null) {
            supervisor.kill(child);
        }
    }

    /**
     * Starts a stopped service (or the gateway) again (stopping it first if it runs), waits until it is ready, then
     * supervises it.
     */
    public void restartService(String service) {
        stopService(service);
        if (GATEWAY.equals(service)) {
            gateway = startGateway();
            Waits.until(() -> ready(options.gatewayPort()), options.serviceStartTimeout(), GATEWAY, gateway.process(),
                    gateway.log());
            supervisor.supervise(gateway, options.restarts(), () -> ready(options.gatewayPort()));
            return;
        }
        ProcessSupervisor.Child child = startService(service);
        synchronized (this) {
            services.put(service, child);
        }
        Waits.until(() -> ready(servicePorts.get(service)), options.serviceStartTimeout(), service, child.process(),
                child.log());
        superviseService(service, child);
    }

    /**
     * The process of a running service instance or the gateway, or empty when it was stopped (tests that kill it from
     * outside). A service's name is its first instance; the others are {@link #instances}.
     */
    public synchronized Optional<ProcessSupervisor.Child> service(String service) {
        return Optional.ofNullable(GATEWAY.equals(service) ? gateway : services.get(service));
    }

    /** Whether the service (or the gateway) answers {@code /q/health/ready} now. */
    public boolean serviceReady(String service) {
        return ready(GATEWAY.equals(service) ? options.gatewayPort() : servicePorts.get(service));
    }

    private synchronized ProcessSupervisor.Child takeChild(String service) {
        if (GATEWAY.equals(service)) {
            ProcessSupervisor.Child child = gateway;
            gateway = null;
            return child;
        }
        if (!servicePorts.containsKey(service)) {
            throw new IllegalArgumentException("no service instance " + service + "; instances: "
                    + servicePorts.keySet() + " and " + GATEWAY);
        }
        return services.remove(service);
    }

    /** Kills the Kafka broker with SIGKILL (fault tests); {@link #restartKafka} starts it again on its data. */
    public void killKafka() {
        KafkaServer broker = kafka;
        kafka = null;
        if (broker != null) {
            broker.kill();
        }
    }

    /** Starts the broker again on the same ports and data folder (topics and offsets kept); waits until it answers. */
    public void restartKafka() {
        if (kafka != null) {
            kafka.close();
        }
        kafka = KafkaServer.start(layout, supervisor, options.dir().resolve("kafka"), options.kafkaPort(),
                options.kafkaControllerPort());
        supervisor.supervise(kafka.child(), options.restarts(), kafka::answers);
    }

    /** Kills PostgreSQL (postmaster and backends) with SIGKILL (fault tests); {@link #restartPostgres} recovers it. */
    public void killPostgres() {
        PostgresServer server = postgres;
        postgres = null;
        if (server != null) {
            server.kill();
        }
    }

    /** Starts PostgreSQL again on the same port and data folder (crash recovery) and waits until it accepts logins. */
    public void restartPostgres() {
        if (postgres != null) {
            postgres.close();
        }
        postgres = PostgresServer.start(options.dir().resolve("postgres"), options.postgresPort());
        watchPostgres(postgres);
    }

    /** Starts an extra process under this stack's supervision (the demo agent, or a test's agent). */
    public ProcessSupervisor.Child startJavaProcess(String name, String classpath, String mainClass, List<String> args,
            Path log) {
        return supervisor.startJava(name, List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                classpath, mainClass, args, Map.of(), log);
    }

    public void stopProcess(ProcessSupervisor.Child child) {
        supervisor.stop(child);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + options.gatewayPort();
    }

    public String serviceUrl(String service) {
        return "http://127.0.0.1:" + servicePorts.get(service);
    }

    /** The dashboard's address for a browser: the gateway's {@code /}. */
    public String dashboardUrl() {
        return baseUrl() + "/";
    }

    public String apiKey() {
        return credentials.getProperty("api-key");
    }

    public String internalToken() {
        return credentials.getProperty("internal-token");
    }

    public String kafkaBootstrap() {
        return "127.0.0.1:" + options.kafkaPort();
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public StackLayout layout() {
        return layout;
    }

    public StackOptions options() {
        return options;
    }

    public Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - startedAt);
    }

    /** Resident memory of every process of the stack, in bytes (from /proc; 0 where unreadable). */
    public long residentBytes() {
        long total = rss(ProcessHandle.current().pid());
        for (ProcessHandle handle : ProcessHandle.current().descendants().toList()) {
            total += rss(handle.pid());
        }
        return total;
    }

    /** Resident memory of a process in bytes (VmRSS), 0 when it is gone. */
    public static long rss(long pid) {
        return procBytes(pid, "status", "VmRSS:");
    }

    /** Proportional set size in bytes (shared pages split among their sharers, from smaps_rollup), 0 when unknown. */
    public static long pss(long pid) {
        return procBytes(pid, "smaps_rollup", "Pss:");
    }

    private static long procBytes(long pid, String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/" + file))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // process gone or no /proc
        }
        return 0;
    }

    @Override
    public synchronized void close() {
        closing = true;
        stopServicesTogether();
        supervisor.close();
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /**
     * Stops the gateway and every service instance at once, before the supervisor stops the rest (agents, then Kafka
     * and S3Proxy) one by one: a service takes seconds to shut down (its Kafka consumers leave their groups), and
     * ten of them one after the other made every test stack's close take minutes.
     */
    private void stopServicesTogether() {
        List<ProcessSupervisor.Child> apps = new ArrayList<>(services.values());
        if (gateway != null) {
            apps.add(gateway);
        }
        List<Thread> stopping = new ArrayList<>();
        for (ProcessSupervisor.Child child : apps) {
            Thread t = new Thread(() -> supervisor.stop(child), "stop-" + child.name());
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        services.clear();
        gateway = null;
    }

    private static Properties loadOrCreateCredentials(Path file) {
        Properties props = new Properties();
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                try (var in = Files.newBufferedReader(file)) {
                    props.load(in);
                }
                if (props.getProperty("secrets-key") != null) {
                    return props;
                }
                // A data directory from before repository credentials: it gets its key now, kept from then on.
            } else {
                props.setProperty("api-key", "blk_" + random(24));
                props.setProperty("internal-token", random(24));
                props.setProperty("s3.access-key", "benchline");
                props.setProperty("s3.secret-key", random(20));
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            props.setProperty("secrets-key", java.util.Base64.getEncoder().encodeToString(key));
            try (var out = Files.newBufferedWriter(file)) {
                props.store(out, "Benchline local stack credentials (created on first start; keep private)");
            }
            file.toFile().setReadable(false, false);
            file.toFile().setReadable(true, true);
            return props;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void join(CompletableFuture<Void> future) {
        try {
            future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private void log(String message) {
        if (!options.quiet()) {
            System.out.println("benchline: " + message);
        }
    }
}
