package io.benchline.builds.procedure;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RuntimeResolverTest {
    private static RuntimeResolver.Resolved resolve(Map<String, String> files) {
        return RuntimeResolver.resolve(p -> Optional.ofNullable(files.get(p)), Optional.empty());
    }

    @Test
    void precedenceIsPythonVersionThenUvLockThenPyproject() {
        String pyproject = "[project]\nname = \"x\"\nrequires-python = \">=3.9,<3.11\"\n";
        String lock = "version = 1\nrequires-python = \">=3.10, <3.12\"\n\n[[package]]\nname = \"x\"\n";
        assertThat(resolve(Map.of("pyproject.toml", pyproject))).isEqualTo(
                new RuntimeResolver.Resolved("3.10", "pyproject.toml requires-python", null));
        assertThat(resolve(Map.of("pyproject.toml", pyproject, "uv.lock", lock)).version()).isEqualTo("3.11");
        assertThat(resolve(Map.of("pyproject.toml", pyproject, "uv.lock", lock, ".python-version",
                "# pinned\ncpython-3.12.4-linux-x86_64-gnu\n"))).isEqualTo(
                new RuntimeResolver.Resolved("3.12", ".python-version", null));
    }

    @Test
    void specifiersResolveToTheNewestSupportedMinor() {
        assertThat(RuntimeResolver.fromSpecifier(">=3.11", "s").version()).isEqualTo("3.13");
        assertThat(RuntimeResolver.fromSpecifier("~=3.10", "s").version()).isEqualTo("3.13");
        assertThat(RuntimeResolver.fromSpecifier("~=3.10.2", "s").version()).isEqualTo("3.10");
        assertThat(RuntimeResolver.fromSpecifier("==3.9.*", "s").version()).isEqualTo("3.9");
        assertThat(RuntimeResolver.fromSpecifier(">=3.8,!=3.13.*,<4", "s").version()).isEqualTo("3.12");
        assertThat(RuntimeResolver.fromSpecifier(">3.11.4,<=3.12", "s").version()).isEqualTo("3.12");
        assertThat(RuntimeResolver.fromSpecifier("<3.8", "s").problem()).contains("allows no Python");
        assertThat(RuntimeResolver.fromSpecifier("python3", "s").problem()).contains("is not a version specifier");
    }

    @Test
    void unusablePinsAndFilesAreProblems() {
        assertThat(resolve(Map.of(".python-version", "pypy3.9")).problem())
                .isEqualTo(".python-version names 'pypy3.9', not a CPython version like 3.11");
        assertThat(resolve(Map.of(".python-version", "3.7")).problem()).contains("3.7, which stations do not run");
        assertThat(resolve(Map.of("pyproject.toml", "[project\nname=")).problem())
                .startsWith("pyproject.toml is not valid TOML");
        assertThat(resolve(Map.of("pyproject.toml", "[project]\nname = \"x\"\n")).problem())
                .startsWith("no Python version is declared");
    }
}
