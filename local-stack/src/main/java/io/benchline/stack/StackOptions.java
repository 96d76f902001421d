package io.benchline.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Ports and folders of a local stack. Defaults are the documented ones; every one can be changed
 * by a command-line flag or an environment variable (see {@link Main}).
 */
public record StackOptions(
        Path dir,
        int gatewayPort,
        int postgresPort,
        int kafkaPort,
        int kafkaControllerPort,
        int s3Port,
        int servicePortBase,
        int partitions,
        String serviceHeap,
        Duration serviceStartTimeout,
        boolean quiet,
        Map<String, Map<String, String>> extraEnv,
        RestartPolicy restarts,
        boolean fullJit,
        Map<String, Integer> instances) {

    /**
     * The most instances of one service; each takes the next ports after the ones before it, one per service
     * (LocalStack's PORT_ORDER, 6).
     */
    public static final int MAX_INSTANCES = 8;

    public StackOptions {
        instances = Map.copyOf(instances);
        instances.forEach((service, n) -> {
            if (!LocalStack.SERVICES.contains(service)) {
                throw new StackException("--instances: no service " + service + "; services: "
                        + String.join(", ", LocalStack.SERVICES));
            }
            if (n < 1 || n > MAX_INSTANCES) {
                throw new StackException("--instances: " + service + "=" + n + " is not between 1 and " + MAX_INSTANCES);
            }
        });
    }

    /** With the default restart policy. */
    public StackOptions(Path dir, int gatewayPort, int postgresPort, int kafkaPort, int kafkaControllerPort, int s3Port,
            int servicePortBase, int partitions, String serviceHeap, Duration serviceStartTimeout, boolean quiet,
            Map<String, Map<String, String>> extraEnv) {
        this(dir, gatewayPort, postgresPort, kafkaPort, kafkaControllerPort, s3Port, servicePortBase, partitions,
                serviceHeap, serviceStartTimeout, quiet, extraEnv, RestartPolicy.defaults(), false, Map.of());
    }

    public static StackOptions defaults(Path dir) {
        return new StackOptions(dir, 8080, 15432, 19092, 19093, 19000, 8081, 3, "256m", Duration.ofSeconds(120),
                false, Map.of());
    }

    /** Free ports everywhere: for tests that run beside anything else. */
    public static StackOptions randomPorts(Path dir) {
        return randomPorts(dir, Map.of());
    }

    /** Free ports everywhere, for the given number of instances of each service (1 when not named). */
    public static StackOptions randomPorts(Path dir, Map<String, Integer> instances) {
        int most = instances.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        int base = Ports.freeRange(LocalStack.PORT_ORDER.size() * most);
        return new StackOptions(dir, Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free(), base, 3,
                "256m", Duration.ofSeconds(180), true, Map.of(), RestartPolicy.defaults(), false, instances);
    }

    /** How many instances of the service run (1 unless {@link #instances()} names it). */
    public int instances(String service) {
        return instances.getOrDefault(service, 1);
    }

    /**
     * Parses {@code build-worker=3,station-dispatcher=2,dashboard=2} (the {@code --instances} flag and
     * {@code BENCHLINE_INSTANCES}); {@code all=2} sets every service.
     */
    public static Map<String, Integer> parseInstances(String spec) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new StackException("--instances: expected SERVICE=N, got " + item);
            }
            String service = item.substring(0, eq).trim();
            int n;
            try {
                n = Integer.parseInt(item.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new StackException("--instances: " + item + ": N is not a number");
            }
            if (service.equals("all")) {
                LocalStack.SERVICES.forEach(svc -> out.put(svc, n));
            } else {
                out.put(service, n);
            }
        }
        return out;
    }

    public StackOptions withInstances(Map<String, Integer> counts) {
        return new StackOptions(dir, gatewayPort, postgresPort, kafkaPort, kafkaControllerPort, s3Port, servicePortBase,
                partitions, serviceHeap, serviceStartTimeout, quiet, extraEnv, restarts, fullJit, counts);
    }

    public StackOptions withExtraEnv(Map<String, Map<String, String>> env) {
        return new StackOptions(dir, gatewayPort, postgresPort, kafkaPort, kafkaControllerPort, s3Port, servicePortBase,
                partitions, serviceHeap, serviceStartTimeout, quiet, env, restarts, fullJit, instances);
    }

    /**
     * Every service and the gateway export their spans to this OTLP/HTTP receiver ({@code http/protobuf}, e.g.
     * {@code http://127.0.0.1:4318}), on top of any extra environment already given; traces are off otherwise.
     */
    public StackOptions withTraces(String otlpHttpEndpoint) {
        Map<String, Map<String, String>> env = new java.util.LinkedHashMap<>();
        extraEnv.forEach((module, vars) -> env.put(module, new java.util.LinkedHashMap<>(vars)));
        List<String> modules = new java.util.ArrayList<>(LocalStack.SERVICES);
        modules.add(LocalStack.GATEWAY);
        for (String module : modules) {
            Map<String, String> vars = env.computeIfAbsent(module, m -> new java.util.LinkedHashMap<>());
            vars.putAll(traceEnvironment(otlpHttpEndpoint));
        }
        return withExtraEnv(env);
    }

    /** The variables that turn a service's traces on, exported to an OTLP/HTTP receiver. */
    public static Map<String, String> traceEnvironment(String otlpHttpEndpoint) {
        return Map.of("QUARKUS_OTEL_SDK_DISABLED", "false",
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", otlpHttpEndpoint,
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf",
                // spans reach the receiver within a fraction of a second instead of the default 5 s
                "QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "200ms");
    }

    /** How a process of the stack that exits on its own is restarted (see {@link RestartPolicy}). */
    public StackOptions withRestarts(RestartPolicy policy) {
        return new StackOptions(dir, gatewayPort, postgresPort, kafkaPort, kafkaControllerPort, s3Port, servicePortBase,
                partitions, serviceHeap, serviceStartTimeout, quiet, extraEnv, policy, fullJit, instances);
    }

    /**
     * Services with the JVM's full JIT (C1 then C2), as a production JVM runs them, instead of stopping at C1 (the
     * default here: faster starts and less memory on a small machine, slower code: no SHA or other C2 intrinsics).
     * The bench uses it, so that its figures are those of production-compiled code.
     */
    public StackOptions withFullJit(boolean full) {
        return new StackOptions(dir, gatewayPort, postgresPort, kafkaPort, kafkaControllerPort, s3Port, servicePortBase,
                partitions, serviceHeap, serviceStartTimeout, quiet, extraEnv, restarts, full, instances);
    }

}
