package io.benchline.stack;

import java.nio.file.Path;
import java.time.Duration;
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
        boolean fullJit) {

    /** With the default restart policy. */
    public StackOptions(Path dir, int gatewayPort, int postgresPort, int kafkaPort, int kafkaControllerPort, int s3Port,
            int servicePortBase, int partitions, String serviceHeap, Duration serviceStartTimeout, boolean quiet,
            Map<String, Map<String, String>> extraEnv) {
        this(dir, gatewayPort, postgresPort, kafkaPort, kafkaControllerPort, s3Port, servicePortBase, partitions,
                serviceHeap, serviceStartTimeout, quiet, extraEnv, RestartPolicy.defaults(), false);
    }

    public static StackOptions defaults(Path dir) {
        return new StackOptions(dir, 8080, 15432, 19092, 19093, 19000, 8081, 3, "256m", Duration.ofSeconds(120),
                false, Map.of());
    }

    /** Free ports everywhere: for tests that run beside anything else. */
    public static StackOptions randomPorts(Path dir) {
        int base = Ports.freeRange(5);
        return new StackOptions(dir, Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free(), base, 3,
                "256m", Duration.ofSeconds(180), true, Map.of());
    }

    public StackOptions withExtraEnv(Map<String, Map<String, String>> env) {
        return new StackOptions(dir, gatewayPort, postgresPort, kafkaPort, kafkaControllerPort, s3Port, servicePortBase,
                partitions, serviceHeap, serviceStartTimeout, quiet, env, restarts, fullJit);
    }

    /** How a process of the stack that exits on its own is restarted (see {@link RestartPolicy}). */
    public StackOptions withRestarts(RestartPolicy policy) {
        return new StackOptions(dir, gatewayPort, postgresPort, kafkaPort, kafkaControllerPort, s3Port, servicePortBase,
                partitions, serviceHeap, serviceStartTimeout, quiet, extraEnv, policy, fullJit);
    }

    /**
     * Services with the JVM's full JIT (C1 then C2), as a production JVM runs them, instead of stopping at C1 (the
     * default here: faster starts and less memory on a small machine, slower code: no SHA or other C2 intrinsics).
     * The bench uses it, so that its figures are those of production-compiled code.
     */
    public StackOptions withFullJit(boolean full) {
        return new StackOptions(dir, gatewayPort, postgresPort, kafkaPort, kafkaControllerPort, s3Port, servicePortBase,
                partitions, serviceHeap, serviceStartTimeout, quiet, extraEnv, restarts, full);
    }

}
