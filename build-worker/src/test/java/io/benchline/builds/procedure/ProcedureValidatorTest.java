package io.benchline.builds.procedure;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ProcedureValidatorTest {
    private final ProcedureValidator validator = new ProcedureValidator();

    private ProcedureValidator.Result validate(String yaml, String... files) {
        Set<String> paths = Set.of(files);
        return validator.validate(yaml == null ? null : yaml.getBytes(StandardCharsets.UTF_8), paths::contains);
    }

    @Test
    void acceptsAMinimalProcedureWithDefaults() {
        var result = validate("name: Voltage check\nruntime: python 3.11\nentry_point: main.py\n", "main.py");

        assertThat(result.valid()).isTrue();
        assertThat(result.problems()).isEmpty();
        assertThat(result.spec()).isEqualTo(
                new ProcedureSpec("Voltage check", "python", "3.11", "main.py", "any", null));
    }

    @Test
    void defaultsRequirementsToRequirementsTxtWhenPresent() {
        var result = validate("name: x\nruntime: python 3.8\nentry_point: ./src/run.py\n",
                "src/run.py", "requirements.txt");

        assertThat(result.spec().requirements()).isEqualTo("requirements.txt");
        assertThat(result.spec().entryPoint()).isEqualTo("src/run.py");
        assertThat(result.spec().runtimeVersion()).isEqualTo("3.8");
    }

    @Test
    void takesPlatformAndNamedRequirements() {
        var result = validate("""
                name: x
                runtime: Python 3.13
                entry_point: main.py
                platform: windows-x64
                requirements: deps/prod.txt
                """, "main.py", "deps/prod.txt", "requirements.txt");

        assertThat(result.spec()).isEqualTo(
                new ProcedureSpec("x", "python", "3.13", "main.py", "windows-x64", "deps/prod.txt"));
    }

    @Test
    void failsWhenNamedRequirementsAreMissing() {
        var result = validate("name: x\nruntime: python 3.11\nentry_point: main.py\nrequirements: reqs.txt\n",
                "main.py", "requirements.txt");

        assertThat(result.valid()).isFalse();
        assertThat(result.problems()).containsExactly(
                "requirements 'reqs.txt' does not exist in the repository at this commit");
    }

    @Test
    void requiresName() {
        var result = validate("runtime: python 3.11\nentry_point: main.py\n", "main.py");

        assertThat(result.valid()).isFalse();
        assertThat(result.problems()).containsExactly("name is required");
        assertThat(result.failureReason()).isEqualTo("procedure.yaml is invalid: name is required");
    }

    @Test
    void rejectsRuntimesOutsidePython38To313() {
        assertThat(validate("name: x\nruntime: python 3.7\nentry_point: main.py\n", "main.py").problems())
                .containsExactly("runtime python 3.7 is not supported (python 3.8 to 3.13)");
        assertThat(validate("name: x\nruntime: python 3.14\nentry_point: main.py\n", "main.py").problems())
                .containsExactly("runtime python 3.14 is not supported (python 3.8 to 3.13)");
        assertThat(validate("name: x\nruntime: python 2.7\nentry_point: main.py\n", "main.py").valid()).isFalse();
        assertThat(validate("name: x\nruntime: ruby 3.3\nentry_point: main.py\n", "main.py").problems())
                .containsExactly("runtime language 'ruby' is not supported (only python)");
        assertThat(validate("name: x\nruntime: python\nentry_point: main.py\n", "main.py").problems())
                .containsExactly("runtime 'python' must be a language and a version, like \"python 3.11\"");
        assertThat(validate("name: x\nruntime: 3.11\nentry_point: main.py\n", "main.py").valid()).isFalse();
    }

    @Test
    void entryPointMustBeAnExistingPythonFileInsideTheTree() {
        assertThat(validate("name: x\nruntime: python 3.11\nentry_point: main.sh\n", "main.sh").problems())
                .containsExactly("entry_point 'main.sh' must be a .py file");
        assertThat(validate("name: x\nruntime: python 3.11\nentry_point: run.py\n", "main.py").problems())
                .containsExactly("entry_point 'run.py' does not exist in the repository at this commit");
        assertThat(validate("name: x\nruntime: python 3.11\nentry_point: ../main.py\n", "main.py").problems())
                .containsExactly("entry_point '../main.py' must be a relative path inside the repository");
        assertThat(validate("name: x\nruntime: python 3.11\nentry_point: /main.py\n", "main.py").valid())
                .isFalse();
    }

    @Test
    void reportsEveryProblemAtOnce() {
        var result = validate("runtime: cobol 1.0\nentry_point: missing.py\nplatform: Not A Platform\n", "main.py");

        assertThat(result.problems()).hasSize(4);
        assertThat(result.failureReason()).startsWith("procedure.yaml is invalid: name is required; ");
    }

    @Test
    void explainsMissingEmptyAndMalformedFiles() {
        assertThat(validate(null).problems())
                .containsExactly("the repository has no procedure.yaml at its root at this commit");
        assertThat(validate("").problems()).singleElement().asString().contains("empty");
        assertThat(validate("- a\n- b\n").problems()).singleElement().asString().contains("mapping");
        assertThat(validate("name: [unclosed\n").problems()).singleElement().asString()
                .startsWith("not valid YAML (").contains("line");
        assertThat(validate("name: {a: 1}\nruntime: python 3.11\nentry_point: main.py\n", "main.py").problems())
                .containsExactly("name must be a string");
    }

    @Test
    void warnsAboutUnknownKeysWithoutFailing() {
        var result = validate("name: x\nruntime: python 3.11\nentry_point: main.py\ntimeout: 5\n", "main.py");

        assertThat(result.valid()).isTrue();
        assertThat(result.warnings()).containsExactly("procedure.yaml: unknown key 'timeout' is ignored");
    }
}
