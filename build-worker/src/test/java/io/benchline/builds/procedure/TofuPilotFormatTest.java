package io.benchline.builds.procedure;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** TofuPilot-format procedure.yaml files, as the public templates write them, and every kind of mistake. */
class TofuPilotFormatTest {
    static final String POWER_BOARD = """
            name: Power Board Functional Test
            version: "1.2.0"
            description: Functional test of a 5 V power board.
            execution:
              strategy: phase_first
              workers: 4
              on_first_failure: stop
            unit:
              serial_number:
                placeholder: "PB-000000"
                pattern: "^PB-\\\\d{6}$"
              part_number:
                default_value: "PB-5V-01"
            plugs:
              - name: Power Supply
                key: psu
                python: plugs.power_supply:PowerSupply
                config:
                  address: "TCPIP::192.168.1.50::INSTR"
              - name: DMM
                python: plugs.dmm:Multimeter
                scope: station
            setup:
              - name: Power On
                python: phases.power:power_on
                timeout: 10s
            main:
              - key: voltage
                name: Output Voltage
                python: phases.voltage
                timeout: 30s
                retry:
                  limit: 2
                  delay: 500ms
                then:
                  timeout: retry
                measurements:
                  - name: Output Voltage
                    unit: V
                    validators:
                      - {operator: ">=", expected_value: 4.8}
                      - {operator: "<=", expected_value: 5.2}
              - key: firmware
                name: Firmware Check
                python: phases.firmware:check_firmware
                depends_on: [voltage]
                measurements:
                  - name: Firmware Version
                    validators:
                      - {operator: matches, expected_value: "^2\\\\.\\\\d+\\\\.\\\\d+$"}
                  - name: Boot Mode
                    validators:
                      - {operator: in, expected_value: [normal, safe]}
            teardown:
              - name: Power Off
                python: phases.power:power_off
            """;
    static final Set<String> FILES = Set.of("procedure.yaml", "phases/power.py", "phases/voltage.py",
            "phases/firmware.py", "plugs/power_supply.py", "plugs/dmm.py", "pyproject.toml", "uv.lock");
    static final String PYPROJECT = """
            [project]
            name = "power-board-test"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["numpy>=1.26"]
            """;

    private final ProcedureValidator validator = new ProcedureValidator();

    private ProcedureValidator.Result validate(String yaml, Set<String> files, Map<String, String> texts) {
        return validator.validate(yaml.getBytes(StandardCharsets.UTF_8), files::contains,
                p -> Optional.ofNullable(texts.get(p)), Optional.empty());
    }

    @Test
    void aTemplateShapedProcedureIsValidAndItsRuntimeComesFromPyproject() {
        var result = validate(POWER_BOARD, FILES, Map.of("pyproject.toml", PYPROJECT));
        assertThat(result.problems()).isEmpty();
        ProcedureSpec spec = result.spec();
        assertThat(spec.format()).isEqualTo(ProcedureSpec.TOFUPILOT);
        assertThat(spec.name()).isEqualTo("Power Board Functional Test");
        assertThat(spec.entryPoint()).isNull();
        assertThat(spec.runtimeVersion()).isEqualTo("3.13");
        assertThat(spec.runtimeSource()).isEqualTo("pyproject.toml requires-python");
        assertThat(spec.requirements()).isEqualTo("uv.lock");
        assertThat(spec.platform()).isEqualTo("any");
    }

    @Test
    void everyProblemIsListedAtOnceWithItsLine() {
        String yaml = """
                name: Broken
                colour: blue
                plugs:
                  - name: PSU
                    python: plugs.psu
                  - name: psu
                    python: plugs.psu:PSU
                main:
                  - name: Voltage
                    python: phases.voltage
                    depends_on: [current]
                    timeout: 30
                    retry: {limit: 11}
                  - name: Current
                    python: phases/current.py:measure
                    depends_on: [voltage]
                    timeout: 2 weeks
                  - name: Voltage
                    key: 2bad
                    python: phases.missing
                    measurements:
                      - name: V
                        validators:
                          - {operator: between, expected_value: 3}
                          - {operator: ">", expected_value: high}
                          - {operator: matches, expected_value: "(unclosed"}
                  - name: Self
                    python: phases.voltage:self_check
                    depends_on: [self]
                name: Again
                """;
        var result = validate(yaml, Set.of("phases/voltage.py", "phases/current.py", "plugs/psu.py"),
                Map.of(".python-version", "3.12\n"));
        assertThat(result.valid()).isFalse();
        assertThat(result.problems()).containsExactly(
                "line 2: the procedure: unknown key 'colour' (known: description, execution, id, main, name, plugs,"
                        + " setup, teardown, unit, version)",
                "line 5: plugs[0] (PSU).python 'plugs.psu' must name the class, like plugs.psu:PowerSupply",
                "line 6: plugs[1] (psu): plug key 'psu' is also the key of plugs[0] (PSU) (plug keys are compared"
                        + " without case); set an explicit key",
                "line 11: depends_on forms a cycle: voltage -> current -> voltage",
                "line 13: main[0] (Voltage).retry.limit 11 is not between 1 and 10",
                "line 17: main[1] (Current).timeout '2 weeks' is not a duration (units ms, s, m, h: 30s, 5m, 1h30m)",
                "line 19: main[2] (Voltage).key '2bad' is not a Python identifier (letters, digits and _, not starting"
                        + " with a digit)",
                "line 20: main[2] (Voltage).python 'phases.missing': phases/missing.py is not in the repository at"
                        + " this commit",
                "line 24: main[2] (Voltage).measurements[0] (V).validators[0].operator 'between' is not one of ==, !=,"
                        + " >, >=, <, <=, in, not in, matches",
                "line 25: main[2] (Voltage).measurements[0] (V).validators[1]: '>' needs a number as expected_value",
                "line 26: main[2] (Voltage).measurements[0] (V).validators[2]: expected_value is not a valid regular"
                        + " expression (Unclosed group)",
                "line 29: main phase 'self' depends on itself",
                "line 30: the procedure: key 'name' appears twice (first on line 1)");
    }

    @Test
    void mainPhaseKeysAreUniqueAndDependenciesKnown() {
        String yaml = """
                name: Keys
                main:
                  - name: Supply Voltage
                    python: phases.a:run
                  - name: supply-voltage
                    python: phases.a:run
                    depends_on: [nowhere]
                """;
        var result = validate(yaml, Set.of("phases/a.py"), Map.of(".python-version", "3.11"));
        assertThat(result.problems()).containsExactly(
                "line 5: main[1] (supply-voltage): phase key 'supply_voltage' is used twice in main (line 3); every"
                        + " main phase needs its own key",
                "line 7: main phase 'supply_voltage' depends on unknown phase 'nowhere' (main phases: supply_voltage)");
    }

    @Test
    void aProcedureWithoutMainPhasesOrRuntimeFailsSayingSo() {
        var result = validate("name: Empty\nsetup:\n  - name: Prepare\n", Set.of(), Map.of());
        assertThat(result.problems()).containsExactly(
                "line 1: the procedure has no main phases; at least one is required",
                "no Python version is declared: add .python-version, or requires-python to pyproject.toml (or"
                        + " uv.lock), e.g. requires-python = \">=3.11\"");
    }

    @Test
    void aConfiguredDefaultRuntimeIsUsedAndNamed() {
        var result = validator.validate("name: D\nmain:\n  - name: Only\n    python: t:run\n"
                .getBytes(StandardCharsets.UTF_8), Set.of("t.py")::contains, p -> Optional.empty(), Optional.of("3.10"));
        assertThat(result.problems()).isEmpty();
        assertThat(result.spec().runtimeVersion()).isEqualTo("3.10");
        assertThat(result.spec().runtimeSource()).contains("benchline.build.default-python");
    }

    @Test
    void aDotReferenceToAClassSuggestsTheColonForm() {
        var result = validate("name: S\nmain:\n  - name: M\n    python: phases.checks.run_all\n",
                Set.of("phases/checks.py"), Map.of(".python-version", "3.11"));
        assertThat(result.problems()).containsExactly("line 4: main[0] (M).python 'phases.checks.run_all':"
                + " phases/checks/run_all.py is not in the repository at this commit (did you mean"
                + " phases.checks:run_all?)");
    }

    @Test
    void keysDeriveFromNamesAsTofuPilotDoes() {
        assertThat(TofuPilotFormat.identifierFrom("Supply Voltage")).isEqualTo("supply_voltage");
        assertThat(TofuPilotFormat.identifierFrom("PWM to RPM Curve")).isEqualTo("pwm_to_rpm_curve");
        assertThat(TofuPilotFormat.identifierFrom("Power-Supply")).isEqualTo("power_supply");
        assertThat(TofuPilotFormat.identifierFrom("Éclairage (LED)")).isEqualTo("eclairage_led");
        assertThat(TofuPilotFormat.identifierFrom("3V3 Rail")).isEqualTo("_3v3_rail");
    }

    @Test
    void referencesResolveToFiles() {
        assertThat(TofuPilotFormat.reference("phases.voltage")).isEqualTo(
                new TofuPilotFormat.Reference("phases/voltage.py", "voltage", null));
        assertThat(TofuPilotFormat.reference("plugs.psu:PSU")).isEqualTo(
                new TofuPilotFormat.Reference("plugs/psu.py", "PSU", null));
        assertThat(TofuPilotFormat.reference("phases/v.py:run")).isEqualTo(
                new TofuPilotFormat.Reference("phases/v.py", "run", null));
        assertThat(TofuPilotFormat.reference("../outside:run").problem()).isEqualTo(
                "must name a file inside the repository");
        assertThat(TofuPilotFormat.reference("a:b:c").problem()).isEqualTo("too many ':' separators");
        assertThat(TofuPilotFormat.reference("phases/v.py").problem()).contains("needs ':'");
    }

    @Test
    void theSimpleFormatStillWorks() {
        var result = validate("name: x\nruntime: python 3.11\nentry_point: main.py\n", Set.of("main.py"), Map.of());
        assertThat(result.spec()).isEqualTo(new ProcedureSpec("x", "python", "3.11", "main.py", "any", null));
        assertThat(result.spec().format()).isEqualTo(ProcedureSpec.SIMPLE);
    }
}
