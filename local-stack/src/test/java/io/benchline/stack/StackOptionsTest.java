package io.benchline.stack;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class StackOptionsTest {

    @Test
    void servicesStopAtC1UnlessTheFullJitIsAskedFor() {
        StackOptions options = StackOptions.defaults(Path.of("unused"));
        assertThat(options.fullJit()).isFalse();
        assertThat(LocalStack.serviceJvm(options)).contains("-XX:TieredStopAtLevel=1", "-Xmx256m");
        assertThat(LocalStack.serviceJvm(options.withFullJit(true))).doesNotContain("-XX:TieredStopAtLevel=1")
                .contains("-Xmx256m");
        // Every other option survives the copy.
        assertThat(options.withFullJit(true).withFullJit(false)).isEqualTo(options);
        assertThat(options.withFullJit(true).withRestarts(RestartPolicy.defaults()).fullJit()).isTrue();
        assertThat(options.withFullJit(true).withExtraEnv(java.util.Map.of()).fullJit()).isTrue();
    }

    @Test
    void tracesTurnOnInEveryServiceAndTheGatewayKeepingOtherExtraEnvironment() {
        StackOptions options = StackOptions.defaults(Path.of("unused"))
                .withExtraEnv(java.util.Map.of("build-worker", java.util.Map.of("BENCHLINE_BUILD_TIMEOUT", "5m")))
                .withTraces("http://127.0.0.1:4318");
        java.util.List<String> modules = new java.util.ArrayList<>(LocalStack.SERVICES);
        modules.add(LocalStack.GATEWAY);
        for (String module : modules) {
            assertThat(options.extraEnv().get(module)).as(module)
                    .containsEntry("QUARKUS_OTEL_SDK_DISABLED", "false")
                    .containsEntry("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:4318")
                    .containsEntry("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf");
        }
        assertThat(options.extraEnv().get("build-worker")).containsEntry("BENCHLINE_BUILD_TIMEOUT", "5m");
        assertThat(StackOptions.defaults(Path.of("unused")).extraEnv()).isEmpty();
    }

    @Test
    void instancesParseNameEveryServiceAndRefuseNonsense() {
        assertThat(StackOptions.parseInstances("")).isEmpty();
        assertThat(StackOptions.parseInstances("build-worker=3, station-dispatcher=2"))
                .containsExactly(java.util.Map.entry("build-worker", 3), java.util.Map.entry("station-dispatcher", 2));
        assertThat(StackOptions.parseInstances("all=2")).hasSize(LocalStack.SERVICES.size()).containsValue(2)
                .doesNotContainValue(1);
        assertThat(StackOptions.parseInstances("all=2,build-worker=4")).containsEntry("build-worker", 4)
                .containsEntry("webhook-service", 2);
        StackOptions options = StackOptions.defaults(Path.of("unused"));
        assertThat(options.instances("build-worker")).isEqualTo(1);
        assertThat(options.withInstances(StackOptions.parseInstances("build-worker=3")).instances("build-worker"))
                .isEqualTo(3);
        for (String bad : new String[] {"build-worker", "nosuch=2", "build-worker=x", "build-worker=0",
                "build-worker=" + (StackOptions.MAX_INSTANCES + 1)}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> options.withInstances(StackOptions.parseInstances(bad)))
                    .as(bad).isInstanceOf(StackException.class).hasMessageContaining("--instances");
        }
    }

    @Test
    void theFirstInstanceKeepsTheServiceNameAndRandomPortsLeaveRoomForEveryInstance() {
        assertThat(LocalStack.instanceName("build-worker", 0)).isEqualTo("build-worker");
        assertThat(LocalStack.instanceName("build-worker", 2)).isEqualTo("build-worker-3");
        StackOptions options = StackOptions.randomPorts(Path.of("unused"), StackOptions.parseInstances("build-worker=3"));
        assertThat(options.instances("build-worker")).isEqualTo(3);
        // Instance k of a service listens on its first port + 6 k (one port per service): 18 ports from the base.
        assertThat(LocalStack.PORT_ORDER).hasSameElementsAs(LocalStack.SERVICES);
        assertThat(options.servicePortBase() + 3 * LocalStack.PORT_ORDER.size() - 1).isLessThan(Ports.ephemeralLow());
    }

    @Test
    void theDashboardIsAServiceThatNeedsOnlyTheApiItsSessionSecretAndKafka() {
        assertThat(LocalStack.SERVICES).contains(LocalStack.DASHBOARD);
        // The default ports: 8081-8085 for the five services, 8086 for the dashboard (its own default).
        assertThat(StackOptions.defaults(Path.of("unused")).servicePortBase()
                + LocalStack.PORT_ORDER.indexOf(LocalStack.DASHBOARD)).isEqualTo(8086);
        assertThat(ServiceEnvironment.required(LocalStack.DASHBOARD))
                .containsExactly("BENCHLINE_DASHBOARD_API_URL", "BENCHLINE_DASHBOARD_SESSION_SECRET",
                        "KAFKA_BOOTSTRAP_SERVERS");
        assertThat(StackOptions.parseInstances("dashboard=2")).containsEntry(LocalStack.DASHBOARD, 2);
        assertThat(ServiceEnvironment.GATEWAY_UPSTREAMS).containsEntry("BENCHLINE_GATEWAY_DASHBOARD_URL",
                LocalStack.DASHBOARD);
    }
}
