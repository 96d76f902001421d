package io.benchline.cli.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** TofuPilot-format procedures on the built-in runner, with a real Python interpreter. */
class RunExecutorTest {
    @TempDir
    Path temp;

    static final String PROCEDURE = """
            name: Power Board
            unit:
              serial_number:
                default_value: PB-000001
            plugs:
              - name: Power Supply
                key: psu
                python: plugs.psu:PowerSupply
                config:
                  volts: VOLTS
            setup:
              - name: Power On
                python: phases.power:power_on
            main:
              - name: Output Voltage
                key: voltage
                python: phases.voltage
                measurements:
                  - name: Output Voltage
                    unit: V
                    validators:
                      - {operator: ">=", expected_value: 4.8}
                      - {operator: "<=", expected_value: 5.2}
              - name: Firmware
                python: phases.firmware:check
                depends_on: [voltage]
                retry: {limit: 2}
                measurements:
                  - name: Version
                    validators:
                      - {operator: matches, expected_value: "^2\\\\."}
            teardown:
              - name: Power Off
                python: phases.power:power_off
            """;

    private Path deployment(String volts, Map<String, String> extra) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("dep-" + volts + extra.size()));
        Files.writeString(dir.resolve("manifest.json"), "{\"schema_version\":2,\"procedure\":{\"name\":\"Power Board\","
                + "\"entry_point\":null,\"format\":\"tofupilot\"}}");
        Files.writeString(dir.resolve("procedure.yaml"), PROCEDURE.replace("VOLTS", volts));
        Map<String, String> files = new java.util.HashMap<>(Map.of(
                "plugs/psu.py", "class PowerSupply:\n    def __init__(self, volts):\n        self.volts = volts\n"
                        + "    def read(self):\n        return self.volts\n",
                "phases/power.py", "def power_on(psu, log):\n    log.info('on')\n\n"
                        + "def power_off(log, unit):\n    log.info('off ' + str(unit.serial_number))\n",
                "phases/voltage.py", "def voltage(measurements, psu):\n    measurements.output_voltage = psu.read()\n",
                "phases/firmware.py", "def check(measurements, phase, run):\n"
                        + "    if run.retry_count == 0:\n        phase.retry('not booted yet')\n"
                        + "    measurements.version = '2.4.1'\n"));
        files.putAll(extra);
        for (var e : files.entrySet()) {
            Files.createDirectories(dir.resolve(e.getKey()).getParent());
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
        return dir;
    }

    private RunExecutor executor() {
        return new RunExecutor("python3", temp.resolve("work/runs"));
    }

    @Test
    void phasesRunInOrderWithPlugsMeasurementsAndARetry() throws Exception {
        RunExecutor.Result result = executor().execute("run_1", "prc_1", "dep_1", deployment("5.0", Map.of()), null,
                "PB-000042");
        assertThat(result.outcome()).isEqualTo("passed");
        assertThat(result.serialNumber()).isEqualTo("PB-000042");
        assertThat(result.phases()).extracting(AgentMessages.PhaseResult::key, AgentMessages.PhaseResult::group,
                AgentMessages.PhaseResult::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple("power_on", "setup", "pass"),
                org.assertj.core.groups.Tuple.tuple("voltage", "main", "pass"),
                org.assertj.core.groups.Tuple.tuple("firmware", "main", "pass"),
                org.assertj.core.groups.Tuple.tuple("power_off", "teardown", "pass"));
        assertThat(result.phases().get(2).attempts()).isEqualTo(2);
        AgentMessages.MeasurementResult voltage = result.phases().get(1).measurements().get(0);
        assertThat(voltage.key()).isEqualTo("output_voltage");
        assertThat(voltage.value().asDouble()).isEqualTo(5.0);
        assertThat(voltage.outcome()).isEqualTo("PASS");
        assertThat(Files.readString(temp.resolve("work/runs/run_1.log"))).contains("[power_off] INFO: off PB-000042");
    }

    @Test
    void aFailedValidatorFailsTheRunSkipsItsDependentsAndStillTearsDown() throws Exception {
        RunExecutor.Result result = executor().execute("run_2", "prc_1", "dep_1", deployment("5.4", Map.of()), null,
                null);
        assertThat(result.outcome()).isEqualTo("failed");
        assertThat(result.serialNumber()).as("the procedure's default").isEqualTo("PB-000001");
        assertThat(result.phases()).extracting(AgentMessages.PhaseResult::key, AgentMessages.PhaseResult::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("power_on", "pass"),
                        org.assertj.core.groups.Tuple.tuple("voltage", "fail"),
                        org.assertj.core.groups.Tuple.tuple("firmware", "skip"),
                        org.assertj.core.groups.Tuple.tuple("power_off", "pass"));
        assertThat(result.phases().get(1).measurements().get(0).outcome()).isEqualTo("FAIL");
        assertThat(result.phases().get(1).message()).contains("output_voltage");
    }

    @Test
    void anExceptionIsAnErrorAndATimeoutToo() throws Exception {
        RunExecutor.Result raised = executor().execute("run_3", "prc_1", "dep_1", deployment("5.0", Map.of(
                "phases/voltage.py", "def voltage(measurements, psu):\n    raise RuntimeError('DMM not found')\n")),
                null, null);
        assertThat(raised.outcome()).isEqualTo("error");
        assertThat(raised.phases().get(1).outcome()).isEqualTo("error");
        assertThat(raised.phases().get(1).message()).isEqualTo("RuntimeError: DMM not found");
        assertThat(raised.phases().get(3).outcome()).as("teardown").isEqualTo("pass");

        Path slow = deployment("5.0", Map.of("phases/voltage.py",
                "import time\n\ndef voltage(measurements):\n    time.sleep(30)\n"));
        Files.writeString(slow.resolve("procedure.yaml"), Files.readString(slow.resolve("procedure.yaml"))
                .replace("python: phases.voltage\n", "python: phases.voltage\n    timeout: 300ms\n"));
        long started = System.nanoTime();
        RunExecutor.Result timedOut = executor().execute("run_4", "prc_1", "dep_1", slow, null, null);
        assertThat(timedOut.outcome()).isEqualTo("error");
        assertThat(timedOut.phases().get(1).outcome()).isEqualTo("timeout");
        assertThat(System.nanoTime() - started).as("the runner does not wait for the stuck phase")
                .isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(25));
    }

    @Test
    void aConfiguredRunnerCommandRunsInstead() throws Exception {
        RunExecutor executor = new RunExecutor("python3", temp.resolve("work/runs"), List.of("sh", "-c",
                "printf '{\"outcome\":\"failed\",\"phases\":[{\"key\":\"k\",\"group\":\"main\",\"outcome\":\"fail\"}]}'"
                        + " > \"$2\"", "runner"));
        RunExecutor.Result result = executor.execute("run_5", "prc_1", "dep_1", deployment("5.0", Map.of()), null,
                "X1");
        assertThat(result.outcome()).isEqualTo("failed");
        assertThat(result.phases()).singleElement().extracting(AgentMessages.PhaseResult::key).isEqualTo("k");
    }
}
