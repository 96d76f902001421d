package io.benchline.builds.packages;

import io.benchline.builds.app.BuildFailure;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The marker variables of a station, from its platform and the resolved Python. */
class StationEnvironmentTest {
    @Test
    void eachStationPlatformHasItsValues() {
        assertThat(platformValues("linux-x86_64")).containsExactly("linux", "Linux", "posix", "x86_64");
        assertThat(platformValues("linux-aarch64")).containsExactly("linux", "Linux", "posix", "aarch64");
        assertThat(platformValues("windows-x64")).containsExactly("win32", "Windows", "nt", "AMD64");
        assertThat(platformValues("macos-arm64")).containsExactly("darwin", "Darwin", "posix", "arm64");
    }

    @Test
    void everyPlatformAWheelCanTargetHasAnEnvironment() {
        assertThat(StationEnvironment.PLATFORMS.keySet()).isEqualTo(WheelTags.PLATFORMS.keySet());
    }

    @Test
    void cpythonOfTheResolvedVersion() {
        StationEnvironment station = StationEnvironment.of("linux-x86_64", "3.11");
        assertThat(station.variables()).containsAllEntriesOf(Map.of("python_version", "3.11",
                "python_full_version", "3.11.0", "implementation_version", "3.11.0", "implementation_name", "cpython",
                "platform_python_implementation", "CPython"));
        assertThat(station.value("platform_release")).isEmpty();
        assertThat(station.value("platform_version")).isEmpty();
        assertThat(station.extras()).isEmpty();
        assertThat(station.dependencyGroups()).isEmpty();
        assertThat(station.describe()).isEqualTo("linux-x86_64, python 3.11");
        StationEnvironment patch = StationEnvironment.of("macos-arm64", "3.12.4");
        assertThat(patch.value("python_version")).contains("3.12");
        assertThat(patch.value("python_full_version")).contains("3.12.4");
    }

    @Test
    void anUnknownPlatformOrPythonFailsTheBuild() {
        assertThatThrownBy(() -> StationEnvironment.of("any", "3.11")).isInstanceOf(BuildFailure.class)
                .hasMessage("benchline.build.station-platform 'any' is not a station platform (linux-aarch64,"
                        + " linux-x86_64, macos-arm64, windows-x64): environment markers of the locked packages"
                        + " cannot be evaluated");
        assertThatThrownBy(() -> StationEnvironment.of("win-amd64", "3.11")).isInstanceOf(BuildFailure.class);
        assertThatThrownBy(() -> StationEnvironment.of("linux-x86_64", "python3")).isInstanceOf(BuildFailure.class)
                .hasMessage("python 'python3' is not a CPython version like 3.11");
    }

    private static java.util.List<String> platformValues(String platform) {
        StationEnvironment station = StationEnvironment.of(platform, "3.11");
        return java.util.stream.Stream.of("sys_platform", "platform_system", "os_name", "platform_machine")
                .map(v -> station.value(v).orElseThrow()).toList();
    }
}
