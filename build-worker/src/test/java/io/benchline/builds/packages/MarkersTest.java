package io.benchline.builds.packages;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PEP 508 markers evaluated on a station. */
class MarkersTest {
    static final StationEnvironment LINUX_311 = StationEnvironment.of("linux-x86_64", "3.11");
    static final StationEnvironment WINDOWS_310 = StationEnvironment.of("windows-x64", "3.10");

    private static boolean linux(String marker) {
        return Markers.evaluate(marker, LINUX_311);
    }

    private static boolean windows(String marker) {
        return Markers.evaluate(marker, WINDOWS_310);
    }

    @Test
    void stringVariablesCompareAsStrings() {
        assertThat(linux("sys_platform == 'linux'")).isTrue();
        assertThat(linux("sys_platform == \"win32\"")).isFalse();
        assertThat(windows("sys_platform == 'win32'")).isTrue();
        assertThat(linux("sys_platform != 'win32'")).isTrue();
        assertThat(linux("platform_system == 'Linux' and os_name == 'posix'")).isTrue();
        assertThat(windows("platform_machine == 'AMD64' and os_name == 'nt' and platform_system == 'Windows'"))
                .isTrue();
        assertThat(linux("implementation_name == 'cpython' and platform_python_implementation == 'CPython'"))
                .isTrue();
        assertThat(linux("platform_python_implementation == 'PyPy'")).isFalse();
        assertThat(linux("platform_machine < 'y'")).isTrue();
        assertThat(linux("platform_machine <= 'x86_64'")).isTrue();
        assertThat(linux("platform_machine > 'x86_64'")).isFalse();
        assertThat(linux("platform_machine >= 'x'")).isTrue();
        assertThat(linux("sys_platform === 'linux'")).isTrue();
        // the PEP 345 spellings the packaging library still reads
        assertThat(linux("sys.platform == 'linux' and os.name == 'posix'")).isTrue();
    }

    @Test
    void versionVariablesCompareAsVersions() {
        // 3.10 is newer than 3.9, which a string comparison gets wrong
        assertThat(windows("python_version > '3.9'")).isTrue();
        assertThat(windows("python_version < '3.9'")).isFalse();
        assertThat(windows("python_version >= '3.10'")).isTrue();
        assertThat(windows("python_version <= '3.10'")).isTrue();
        assertThat(windows("python_version == '3.10.0'")).as("zero padded").isTrue();
        assertThat(windows("python_version == '3.1'")).isFalse();
        assertThat(windows("python_version != '3.1'")).isTrue();
        assertThat(linux("python_full_version < '3.11'")).isFalse();
        assertThat(linux("python_full_version >= '3.11'")).isTrue();
        assertThat(linux("python_full_version == '3.11.0'")).isTrue();
        assertThat(linux("python_full_version < '3.11.1'")).as("3.11.0 unless known").isTrue();
        assertThat(Markers.evaluate("python_full_version < '3.11.1'", StationEnvironment.of("linux-x86_64",
                "3.11.7"))).isFalse();
        assertThat(linux("implementation_version >= '3.11'")).isTrue();
        assertThat(linux("python_full_version > '3.11.0rc1'")).as("a final release after its candidates").isTrue();
        assertThat(linux("python_full_version < '3.11.0.post1'")).isTrue();
        assertThat(linux("python_full_version > '3.11.0.dev0'")).isTrue();
        assertThat(linux("python_version === '3.11'")).as("=== compares the strings").isTrue();
        assertThat(linux("python_version === '3.11.0'")).isFalse();
    }

    @Test
    void wildcardsAndCompatibleReleases() {
        assertThat(linux("python_version == '3.*'")).isTrue();
        assertThat(linux("python_version == '3.11.*'")).isTrue();
        assertThat(linux("python_full_version == '3.11.*'")).isTrue();
        assertThat(linux("python_version == '3.1.*'")).isFalse();
        assertThat(linux("python_version != '3.11.*'")).isFalse();
        assertThat(linux("python_version != '3.12.*'")).isTrue();
        assertThat(linux("python_version ~= '3.9'")).as(">=3.9, ==3.*").isTrue();
        assertThat(linux("python_version ~= '3.12'")).isFalse();
        assertThat(linux("python_full_version ~= '3.11.0'")).as(">=3.11.0, ==3.11.*").isTrue();
        assertThat(linux("python_full_version ~= '3.10.2'")).isFalse();
    }

    @Test
    void eitherSideMayBeTheVariable() {
        assertThat(windows("'3.9' < python_version")).isTrue();
        assertThat(windows("'3.11' <= python_version")).isFalse();
        assertThat(linux("'linux' == sys_platform")).isTrue();
        assertThat(linux("'3.*' == python_version")).isTrue();
        assertThat(linux("'win32' != sys_platform")).isTrue();
    }

    @Test
    void inAndNotInTestSubstrings() {
        assertThat(linux("platform_machine in 'x86_64 AMD64'")).isTrue();
        assertThat(linux("platform_machine not in 'x86_64 AMD64'")).isFalse();
        assertThat(Markers.evaluate("platform_machine in 'x86_64 AMD64'", StationEnvironment.of("linux-aarch64",
                "3.11"))).isFalse();
        assertThat(linux("'lin' in sys_platform")).isTrue();
        assertThat(linux("'win' not in sys_platform")).isTrue();
        assertThat(windows("'win' not in sys_platform")).isFalse();
    }

    @Test
    void andBindsTighterThanOrAndParenthesesGroup() {
        // true or (false and false): true; (true or false) and false: false
        assertThat(linux("sys_platform == 'linux' or sys_platform == 'win32' and python_version < '3.8'")).isTrue();
        assertThat(linux("(sys_platform == 'linux' or sys_platform == 'win32') and python_version < '3.8'"))
                .isFalse();
        // false and true or true: true
        assertThat(linux("sys_platform == 'win32' and python_version >= '3.8' or os_name == 'posix'")).isTrue();
        assertThat(linux("sys_platform == 'win32' and (python_version >= '3.8' or os_name == 'posix')")).isFalse();
        assertThat(linux("((sys_platform == 'linux'))")).isTrue();
        assertThat(linux("python_version>'3.9'and(os_name=='nt'or platform_machine=='x86_64')"))
                .as("spaces are optional around operators and parentheses").isTrue();
    }

    @Test
    void unknownVariablesNeverMatch() {
        assertThat(linux("platform_release >= '5.0'")).isFalse();
        assertThat(linux("platform_release != '5.0'")).isFalse();
        assertThat(linux("platform_version == '#1 SMP'")).isFalse();
        assertThat(linux("'Ubuntu' not in platform_version")).isFalse();
        assertThat(linux("platform_release == '5.0' or sys_platform == 'linux'")).isTrue();
    }

    @Test
    void extrasAndDependencyGroups() {
        assertThat(linux("extra == 'socks'")).isFalse();
        assertThat(linux("extra != 'socks'")).isTrue();
        StationEnvironment socks = LINUX_311.withExtras(Set.of("SOCKS"));
        assertThat(Markers.evaluate("extra == 'socks'", socks)).as("PEP 685 normalized").isTrue();
        assertThat(Markers.evaluate("'socks' in extras", socks)).isTrue();
        StationEnvironment groups = LINUX_311.withDependencyGroups(Set.of("default"));
        assertThat(Markers.evaluate("'default' in dependency_groups", groups)).isTrue();
        assertThat(Markers.evaluate("'dev' in dependency_groups", groups)).isFalse();
        assertThat(Markers.evaluate("'dev' not in dependency_groups", groups)).isTrue();
    }

    @Test
    void badMarkersAreRefusedSayingWhere() {
        assertRefused("sys_platform = 'win32'", "unexpected '=' at character 14");
        assertRefused("sys_platform == 'win32", "the string that starts at character 17 is not closed");
        assertRefused("sys_platfrom == 'win32'", "unknown variable 'sys_platfrom' at character 1");
        assertRefused("sys_platform == win32", "unknown variable 'win32' at character 17");
        assertRefused("(sys_platform == 'win32'", "missing ')' for the '(' at character 1");
        assertRefused("sys_platform == 'win32')", "unexpected ) at character 24");
        assertRefused("sys_platform == 'win32' and", "the marker ends where a variable or a quoted string is expected");
        assertRefused("sys_platform == 'win32' or or os_name == 'nt'",
                "expected a variable or a quoted string, found or at character 28");
        assertRefused("sys_platform", "the marker ends where an operator is expected");
        assertRefused("sys_platform not 'win32'", "expected an operator (== != < <= > >= ~= === in, not in), found"
                + " not at character 14");
        assertRefused("", "the marker is empty");
        assertRefused("'a' == 'b'", "'a' == 'b' compares two strings, not a variable");
        assertRefused("os_name == sys_platform", "os_name == sys_platform compares two variables");
        assertRefused("python_version < 'three'", "python_version < 'three': 'three' is not a version");
        assertRefused("python_version < '3.*'", "python_version < '3.*': a .* wildcard goes with == or != only");
        assertRefused("python_version ~= '3'", "python_version ~= '3': ~= needs a version of two segments or more,"
                + " like 3.10");
        assertRefused("sys_platform ~= 'win32'", "sys_platform ~= 'win32': ~= compares versions and sys_platform is"
                + " not one");
        assertRefused("extra > 'socks'", "extra > 'socks': extra is compared with == or != only");
        assertRefused("extras == 'socks'", "extras == 'socks': extras is a set, tested with 'name' in extras or"
                + " 'name' not in extras");
    }

    private static void assertRefused(String marker, String why) {
        assertThatThrownBy(() -> Markers.parse(marker)).isInstanceOf(Markers.Invalid.class).hasMessage(why);
    }
}
