package io.benchline.builds.packages;

import io.benchline.builds.app.BuildFailure;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values of the PEP 508 marker variables on a station: derived from the station platform
 * ({@code benchline.build.station-platform}, a key of {@link WheelTags#PLATFORMS}) and the resolved CPython version.
 * {@code platform_release} and {@code platform_version} (the station's kernel) are not known at build time: they
 * are absent, and every comparison with them is false. {@code extras} are the extras a marker sees as requested,
 * {@code dependencyGroups} the dependency groups (PEP 751's {@code extras} and {@code dependency_groups}).
 */
public record StationEnvironment(String platform, String python, Map<String, String> variables, Set<String> extras,
        Set<String> dependencyGroups) {
    /** sys_platform, platform_system, os_name, platform_machine (as CPython reports them) per station platform. */
    static final Map<String, List<String>> PLATFORMS = Map.of(
            "linux-x86_64", List.of("linux", "Linux", "posix", "x86_64"),
            "linux-aarch64", List.of("linux", "Linux", "posix", "aarch64"),
            "windows-x64", List.of("win32", "Windows", "nt", "AMD64"),
            "macos-arm64", List.of("darwin", "Darwin", "posix", "arm64"));
    private static final Pattern PYTHON = Pattern.compile("(3)\\.(\\d+)(?:\\.(\\d+))?");

    public StationEnvironment {
        variables = Map.copyOf(variables);
        extras = Set.copyOf(extras);
        dependencyGroups = Set.copyOf(dependencyGroups);
    }

    /**
     * A station of this platform running CPython {@code python} ({@code 3.11}, or {@code 3.11.7});
     * {@code python_full_version} is {@code 3.11.0} when only the minor version is known. An unknown platform
     * ({@code any} included: the configured platform names the stations' real one) fails the build.
     */
    public static StationEnvironment of(String platform, String python) {
        List<String> values = PLATFORMS.get(platform);
        if (values == null) {
            throw new BuildFailure("benchline.build.station-platform '" + platform + "' is not a station platform ("
                    + String.join(", ", new TreeSet<>(PLATFORMS.keySet())) + "): environment markers of the locked"
                    + " packages cannot be evaluated");
        }
        Matcher m = PYTHON.matcher(python == null ? "" : python);
        if (!m.matches()) {
            throw new BuildFailure("python '" + python + "' is not a CPython version like 3.11");
        }
        String full = m.group(1) + "." + m.group(2) + "." + (m.group(3) == null ? "0" : m.group(3));
        return new StationEnvironment(platform, m.group(1) + "." + m.group(2), Map.of(
                "python_version", m.group(1) + "." + m.group(2),
                "python_full_version", full,
                "implementation_version", full,
                "implementation_name", "cpython",
                "platform_python_implementation", "CPython",
                "sys_platform", values.get(0),
                "platform_system", values.get(1),
                "os_name", values.get(2),
                "platform_machine", values.get(3)), Set.of(), Set.of());
    }

    /** The value of a marker variable; empty when the station's is not known (platform_release, platform_version). */
    public Optional<String> value(String variable) {
        return Optional.ofNullable(variables.get(variable));
    }

    /** This environment with these extras requested (names as written; compared PEP 685-normalized). */
    public StationEnvironment withExtras(Set<String> requested) {
        return new StationEnvironment(platform, python, variables, normalized(requested), dependencyGroups);
    }

    /** This environment with these dependency groups installed. */
    public StationEnvironment withDependencyGroups(Set<String> groups) {
        return new StationEnvironment(platform, python, variables, extras, normalized(groups));
    }

    /** For messages: {@code linux-x86_64, python 3.11}. */
    public String describe() {
        return platform + ", python " + python;
    }

    private static Set<String> normalized(Set<String> names) {
        Set<String> out = new TreeSet<>();
        names.forEach(n -> out.add(LockFile.normalize(n)));
        return out;
    }
}
