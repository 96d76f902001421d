package io.benchline.builds.packages;

import io.benchline.builds.app.BuildFailure;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Lock files read for a station: only the packages its environment needs. */
class LockFileTest {
    static final StationEnvironment LINUX_311 = StationEnvironment.of("linux-x86_64", "3.11");
    static final StationEnvironment WINDOWS_310 = StationEnvironment.of("windows-x64", "3.10");

    /**
     * A uv.lock as uv 0.7 writes it (shortened: {@code WHEEL(file)} and {@code SDIST(file)} stand for uv's
     * {@code { url = "https://files.pythonhosted.org/packages/...", hash = "sha256:...", size = ... }}): the project
     * depends on pytest (colorama on Windows; exceptiongroup and tomli before 3.11), on numpy forked by Python
     * version, on pywin32 on Windows only (no Linux wheel), on requests with its socks extra; its own extra
     * {@code usb} is not requested and its dev group (ruff, and bench-lint from git) is not for the station.
     */
    static final String UV_LOCK = """
            version = 1
            revision = 2
            requires-python = ">=3.10"
            resolution-markers = [
                "python_full_version >= '3.11'",
                "python_full_version < '3.11'",
            ]

            [[package]]
            name = "bench-lint"
            version = "0.3.0"
            source = { git = "https://github.com/acme/bench-lint?rev=v0.3.0#4f1c2a9d6e0b7c3f5a8d2e1b9c0f6a4d3e2b1c0a" }

            [[package]]
            name = "colorama"
            version = "0.4.6"
            source = { registry = "https://pypi.org/simple" }
            SDIST(colorama-0.4.6.tar.gz)
            wheels = [
                WHEEL(colorama-0.4.6-py2.py3-none-any.whl),
            ]

            [[package]]
            name = "exceptiongroup"
            version = "1.2.2"
            source = { registry = "https://pypi.org/simple" }
            SDIST(exceptiongroup-1.2.2.tar.gz)
            wheels = [
                WHEEL(exceptiongroup-1.2.2-py3-none-any.whl),
            ]

            [[package]]
            name = "idna"
            version = "3.10"
            source = { registry = "https://pypi.org/simple" }
            wheels = [
                WHEEL(idna-3.10-py3-none-any.whl),
            ]

            [[package]]
            name = "iniconfig"
            version = "2.0.0"
            source = { registry = "https://pypi.org/simple" }
            wheels = [
                WHEEL(iniconfig-2.0.0-py3-none-any.whl),
            ]

            [[package]]
            name = "numpy"
            version = "2.2.6"
            source = { registry = "https://pypi.org/simple" }
            resolution-markers = [
                "python_full_version < '3.11'",
            ]
            SDIST(numpy-2.2.6.tar.gz)
            wheels = [
                WHEEL(numpy-2.2.6-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl),
                WHEEL(numpy-2.2.6-cp310-cp310-win_amd64.whl),
            ]

            [[package]]
            name = "numpy"
            version = "2.3.1"
            source = { registry = "https://pypi.org/simple" }
            resolution-markers = [
                "python_full_version >= '3.11'",
            ]
            SDIST(numpy-2.3.1.tar.gz)
            wheels = [
                WHEEL(numpy-2.3.1-cp311-cp311-manylinux_2_28_x86_64.whl),
                WHEEL(numpy-2.3.1-cp311-cp311-win_amd64.whl),
            ]

            [[package]]
            name = "packaging"
            version = "24.2"
            source = { registry = "https://pypi.org/simple" }
            wheels = [
                WHEEL(packaging-24.2-py3-none-any.whl),
            ]

            [[package]]
            name = "pluggy"
            version = "1.5.0"
            source = { registry = "https://pypi.org/simple" }
            wheels = [
                WHEEL(pluggy-1.5.0-py3-none-any.whl),
            ]

            [[package]]
            name = "power-board"
            version = "0.1.0"
            source = { virtual = "." }
            dependencies = [
                { name = "numpy", version = "2.2.6", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.11'" },
                { name = "numpy", version = "2.3.1", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.11'" },
                { name = "pytest" },
                { name = "pywin32", marker = "sys_platform == 'win32'" },
                { name = "requests", extra = ["socks"] },
            ]

            [package.optional-dependencies]
            usb = [
                { name = "pyusb" },
            ]

            [package.dev-dependencies]
            dev = [
                { name = "bench-lint" },
                { name = "ruff" },
            ]

            [package.metadata]
            requires-dist = [
                { name = "numpy", specifier = ">=2.2" },
                { name = "pytest", specifier = ">=8.3" },
                { name = "pyusb", marker = "extra == 'usb'", specifier = ">=1.2" },
                { name = "pywin32", marker = "sys_platform == 'win32'", specifier = ">=308" },
                { name = "requests", extras = ["socks"], specifier = ">=2.32" },
            ]
            provides-extras = ["usb"]

            [package.metadata.requires-dev]
            dev = [
                { name = "bench-lint", git = "https://github.com/acme/bench-lint?rev=v0.3.0" },
                { name = "ruff", specifier = ">=0.8" },
            ]

            [[package]]
            name = "pysocks"
            version = "1.7.1"
            source = { registry = "https://pypi.org/simple" }
            wheels = [
                WHEEL(PySocks-1.7.1-py3-none-any.whl),
            ]

            [[package]]
            name = "pytest"
            version = "8.3.4"
            source = { registry = "https://pypi.org/simple" }
            dependencies = [
                { name = "colorama", marker = "sys_platform == 'win32'" },
                { name = "exceptiongroup", marker = "python_full_version < '3.11'" },
                { name = "iniconfig" },
                { name = "packaging" },
                { name = "pluggy" },
                { name = "tomli", marker = "python_full_version < '3.11'" },
            ]
            SDIST(pytest-8.3.4.tar.gz)
            wheels = [
                WHEEL(pytest-8.3.4-py3-none-any.whl),
            ]

            [[package]]
            name = "pyusb"
            version = "1.3.1"
            source = { registry = "https://pypi.org/simple" }
            wheels = [
                WHEEL(pyusb-1.3.1-py3-none-any.whl),
            ]

            [[package]]
            name = "pywin32"
            version = "308"
            source = { registry = "https://pypi.org/simple" }
            wheels = [
                WHEEL(pywin32-308-cp310-cp310-win_amd64.whl),
                WHEEL(pywin32-308-cp311-cp311-win_amd64.whl),
            ]

            [[package]]
            name = "requests"
            version = "2.32.3"
            source = { registry = "https://pypi.org/simple" }
            dependencies = [
                { name = "idna" },
                { name = "urllib3" },
            ]
            SDIST(requests-2.32.3.tar.gz)
            wheels = [
                WHEEL(requests-2.32.3-py3-none-any.whl),
            ]

            [package.optional-dependencies]
            socks = [
                { name = "pysocks" },
            ]

            [[package]]
            name = "ruff"
            version = "0.8.4"
            source = { registry = "https://pypi.org/simple" }
            wheels = [
                WHEEL(ruff-0.8.4-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl),
                WHEEL(ruff-0.8.4-py3-none-win_amd64.whl),
            ]

            [[package]]
            name = "tomli"
            version = "2.2.1"
            source = { registry = "https://pypi.org/simple" }
            wheels = [
                WHEEL(tomli-2.2.1-py3-none-any.whl),
            ]

            [[package]]
            name = "urllib3"
            version = "2.3.0"
            source = { registry = "https://pypi.org/simple" }
            wheels = [
                WHEEL(urllib3-2.3.0-py3-none-any.whl),
            ]
            """;
    private static final String UNNEEDED = "nothing the station installs depends on it (a dev dependency, an extra"
            + " nobody requests, or a version for other environments)";

    @Test
    void uvLockOnLinuxWithPython311() {
        LockFile.Selection selection = LockFile.read("uv.lock", uvLock(UV_LOCK), LINUX_311);
        assertThat(names(selection)).containsExactly("idna 3.10", "iniconfig 2.0.0", "numpy 2.3.1", "packaging 24.2",
                "pluggy 1.5.0", "pysocks 1.7.1", "pytest 8.3.4", "requests 2.32.3", "urllib3 2.3.0");
        assertThat(selection.leftOut()).extracting(LockFile.LeftOut::describe).containsExactly(
                "package bench-lint 0.3.0 left out: " + UNNEEDED,
                "package colorama 0.4.6 left out: sys_platform == 'win32' is false on linux-x86_64, python 3.11",
                "package exceptiongroup 1.2.2 left out: python_full_version < '3.11' is false on linux-x86_64,"
                        + " python 3.11",
                "package numpy 2.2.6 left out: python_full_version < '3.11' is false on linux-x86_64, python 3.11",
                "package pyusb 1.3.1 left out: " + UNNEEDED,
                "package pywin32 308 left out: sys_platform == 'win32' is false on linux-x86_64, python 3.11",
                "package ruff 0.8.4 left out: " + UNNEEDED,
                "package tomli 2.2.1 left out: python_full_version < '3.11' is false on linux-x86_64, python 3.11");
        LockFile.Locked numpy = selection.packages().get(2);
        assertThat(numpy.files()).containsExactly("numpy-2.3.1-cp311-cp311-manylinux_2_28_x86_64.whl",
                "numpy-2.3.1-cp311-cp311-win_amd64.whl");
        assertThat(numpy.sha256()).hasSize(2).allMatch(h -> h.matches("[0-9a-f]{64}"));
    }

    @Test
    void uvLockOnWindowsWithPython310() {
        LockFile.Selection selection = LockFile.read("uv.lock", uvLock(UV_LOCK), WINDOWS_310);
        assertThat(names(selection)).containsExactly("colorama 0.4.6", "exceptiongroup 1.2.2", "idna 3.10",
                "iniconfig 2.0.0", "numpy 2.2.6", "packaging 24.2", "pluggy 1.5.0", "pysocks 1.7.1", "pytest 8.3.4",
                "pywin32 308", "requests 2.32.3", "tomli 2.2.1", "urllib3 2.3.0");
        assertThat(selection.leftOut()).extracting(LockFile.LeftOut::name, LockFile.LeftOut::version,
                LockFile.LeftOut::marker).containsExactly(
                tuple("bench-lint", "0.3.0", null),
                tuple("numpy", "2.3.1", "python_full_version >= '3.11'"),
                tuple("pyusb", "1.3.1", null),
                tuple("ruff", "0.8.4", null));
    }

    @Test
    void aPackageReachedByOneTrueEdgeIsNeededWhateverTheOthersSay() {
        String lock = uvLock(UV_LOCK).replace("    { name = \"pytest\" },\n", "    { name = \"colorama\","
                + " marker = \"os_name == 'posix'\" },\n    { name = \"pytest\" },\n");
        LockFile.Selection selection = LockFile.read("uv.lock", lock, LINUX_311);
        assertThat(names(selection)).contains("colorama 0.4.6");
        assertThat(selection.leftOut()).extracting(LockFile.LeftOut::name).doesNotContain("colorama");
    }

    @Test
    void aBadMarkerFailsTheBuildNamingThePackage() {
        String lock = uvLock(UV_LOCK).replace("{ name = \"colorama\", marker = \"sys_platform == 'win32'\" }",
                "{ name = \"colorama\", marker = \"sys_platform = 'win32'\" }");
        assertThatThrownBy(() -> LockFile.read("uv.lock", lock, LINUX_311)).isInstanceOf(BuildFailure.class)
                .hasMessage("uv.lock: package pytest 8.3.4, its dependency colorama: the environment marker"
                        + " \"sys_platform = 'win32'\" is not valid PEP 508 (unexpected '=' at character 14)");
    }

    @Test
    void anEdgeToAPackageTheLockDoesNotListFails() {
        String lock = uvLock(UV_LOCK).replace("{ name = \"iniconfig\" },", "{ name = \"iniconfig\" },\n"
                + "    { name = \"pygments\" },");
        assertThatThrownBy(() -> LockFile.read("uv.lock", lock, LINUX_311)).isInstanceOf(BuildFailure.class)
                .hasMessage("uv.lock: package pytest 8.3.4 depends on pygments, which the lock does not list");
        String ambiguous = uvLock(UV_LOCK).replace("{ name = \"pytest\" },", "{ name = \"numpy\" },");
        assertThatThrownBy(() -> LockFile.read("uv.lock", ambiguous, LINUX_311)).isInstanceOf(BuildFailure.class)
                .hasMessage("uv.lock: package power-board 0.1.0 depends on numpy, which the lock lists 2 times"
                        + " without saying which");
    }

    @Test
    void aLockWithoutProjectVendorsEveryPackage() {
        String lock = uvLock("""
                version = 1
                requires-python = ">=3.11"

                [[package]]
                name = "colorama"
                version = "0.4.6"
                source = { registry = "https://pypi.org/simple" }
                wheels = [
                    WHEEL(colorama-0.4.6-py2.py3-none-any.whl),
                ]
                """);
        assertThat(names(LockFile.read("uv.lock", lock, LINUX_311))).containsExactly("colorama 0.4.6");
    }

    @Test
    void pylockMarkersAndDefaultGroups() {
        String pylock = """
                lock-version = "1.0"
                requires-python = ">=3.10"
                extras = []
                dependency-groups = ["dev"]
                default-groups = ["default"]
                created-by = "pipenv"

                [[packages]]
                name = "colorama"
                version = "0.4.6"
                marker = "sys_platform == 'win32' and 'default' in dependency_groups"
                wheels = [WHEEL(colorama-0.4.6-py2.py3-none-any.whl)]

                [[packages]]
                name = "iniconfig"
                version = "2.0.0"
                marker = "'default' in dependency_groups"
                wheels = [WHEEL(iniconfig-2.0.0-py3-none-any.whl)]

                [[packages]]
                name = "pytest"
                version = "8.3.4"
                wheels = [WHEEL(pytest-8.3.4-py3-none-any.whl)]

                [[packages]]
                name = "ruff"
                version = "0.8.4"
                marker = "'dev' in dependency_groups"
                vcs = { type = "git", url = "https://github.com/astral-sh/ruff", commit-id = "0b9f4c2" }

                [[packages]]
                name = "tomli"
                version = "2.2.1"
                marker = "python_version < '3.11'"
                wheels = [WHEEL(tomli-2.2.1-py3-none-any.whl)]
                """.replaceAll("WHEEL\\(([^)]+)\\)", "{ name = \"$1\", url = \"https://files.pythonhosted.org/$1\","
                + " hashes = { sha256 = \"" + "c".repeat(64) + "\" } }");
        LockFile.Selection linux = LockFile.read("pylock.toml", pylock, LINUX_311);
        assertThat(names(linux)).containsExactly("iniconfig 2.0.0", "pytest 8.3.4");
        assertThat(linux.leftOut()).extracting(LockFile.LeftOut::describe).containsExactly(
                "package colorama 0.4.6 left out: sys_platform == 'win32' and 'default' in dependency_groups is false"
                        + " on linux-x86_64, python 3.11",
                "package ruff 0.8.4 left out: 'dev' in dependency_groups is false on linux-x86_64, python 3.11",
                "package tomli 2.2.1 left out: python_version < '3.11' is false on linux-x86_64, python 3.11");
        assertThat(names(LockFile.read("pylock.toml", pylock, WINDOWS_310)))
                .containsExactly("colorama 0.4.6", "iniconfig 2.0.0", "pytest 8.3.4", "tomli 2.2.1");
        assertThatThrownBy(() -> LockFile.read("pylock.toml", pylock.replace("python_version < '3.11'",
                "python_version < 3.11"), LINUX_311)).isInstanceOf(BuildFailure.class)
                .hasMessage("pylock.toml: package tomli 2.2.1: the environment marker \"python_version < 3.11\" is"
                        + " not valid PEP 508 (unexpected '3' at character 18)");
    }

    @Test
    void requirementMarkersAsUvExportWritesThem() {
        String requirements = """
                # This file was autogenerated by uv via the following command:
                #    uv export --format requirements-txt
                colorama==0.4.6 ; sys_platform == 'win32' \\
                    --hash=sha256:%1$s
                iniconfig==2.0.0 \\
                    --hash=sha256:%1$s
                numpy==2.2.6 ; python_full_version < '3.11' \\
                    --hash=sha256:%1$s \\
                    --hash=sha256:%1$s
                numpy==2.3.1 ; python_full_version >= '3.11' \\
                    --hash=sha256:%1$s
                tomli==2.2.1 ; python_full_version < "3.11" --hash=sha256:%1$s
                """.formatted("d".repeat(64));
        LockFile.Selection linux = LockFile.read("requirements.txt", requirements, LINUX_311);
        assertThat(names(linux)).containsExactly("iniconfig 2.0.0", "numpy 2.3.1");
        assertThat(linux.leftOut()).extracting(LockFile.LeftOut::describe).containsExactly(
                "package colorama 0.4.6 left out: sys_platform == 'win32' is false on linux-x86_64, python 3.11",
                "package numpy 2.2.6 left out: python_full_version < '3.11' is false on linux-x86_64, python 3.11",
                "package tomli 2.2.1 left out: python_full_version < \"3.11\" is false on linux-x86_64, python 3.11");
        assertThat(names(LockFile.read("requirements.txt", requirements, WINDOWS_310)))
                .containsExactly("colorama 0.4.6", "iniconfig 2.0.0", "numpy 2.2.6", "tomli 2.2.1");
        assertThatThrownBy(() -> LockFile.read("requirements.txt", requirements.replace("sys_platform == 'win32'",
                "sys_platform == 'win32' and"), LINUX_311)).isInstanceOf(BuildFailure.class)
                .hasMessage("requirements.txt line 3: colorama==0.4.6: the environment marker \"sys_platform =="
                        + " 'win32' and\" is not valid PEP 508 (the marker ends where a variable or a quoted string is"
                        + " expected)");
    }

    private static List<String> names(LockFile.Selection selection) {
        return selection.packages().stream().map(p -> p.name() + " " + p.version()).toList();
    }

    /** Expands {@code WHEEL(file)} and {@code SDIST(file)} into uv's entries, hashed from the file name. */
    static String uvLock(String template) {
        Matcher m = Pattern.compile("(WHEEL|SDIST)\\(([^)]+)\\)").matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String sha = sha256(m.group(2));
            String entry = "{ url = \"https://files.pythonhosted.org/packages/" + sha.substring(0, 2) + "/"
                    + sha.substring(2, 4) + "/" + sha.substring(4, 60) + "/" + m.group(2) + "\", hash = \"sha256:"
                    + sha + "\", size = " + Integer.parseInt(sha.substring(0, 5), 16) + " }";
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1).equals("SDIST") ? "sdist = " + entry
                    : entry));
        }
        return m.appendTail(out).toString();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
