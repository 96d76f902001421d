package io.benchline.builds.packages;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A wheel file name ({@code name-version(-build)?-python-abi-platform.whl}, PEP 427) and whether a station of a
 * platform and Python version can install it.
 */
public record WheelTags(String name, String version, List<String> python, List<String> abi, List<String> platform) {
    /** Station platforms a build can target, and the wheel platform tags each accepts. */
    public static final java.util.Map<String, Pattern> PLATFORMS = java.util.Map.of(
            "linux-x86_64", Pattern.compile("(many|musl)?linux.*_x86_64"),
            "linux-aarch64", Pattern.compile("(many|musl)?linux.*_aarch64"),
            "windows-x64", Pattern.compile("win_amd64"),
            "macos-arm64", Pattern.compile("macosx_.*_(arm64|universal2)"));

    public static Optional<WheelTags> parse(String filename) {
        if (!filename.endsWith(".whl")) {
            return Optional.empty();
        }
        String[] parts = filename.substring(0, filename.length() - 4).split("-");
        if (parts.length != 5 && parts.length != 6) {
            return Optional.empty();
        }
        int n = parts.length;
        return Optional.of(new WheelTags(parts[0], parts[1], List.of(parts[n - 3].split("\\.")),
                List.of(parts[n - 2].split("\\.")), List.of(parts[n - 1].split("\\."))));
    }

    /** Pure Python for any platform. */
    public boolean universal() {
        return platform.contains("any");
    }

    /** Installable on {@code stationPlatform} (a key of {@link #PLATFORMS}) with CPython 3.{@code minor}. */
    public boolean fits(String stationPlatform, int minor) {
        boolean pythonFits = python.stream().anyMatch(p -> p.equals("py3") || p.equals("py3" + minor)
                || p.equals("cp3" + minor) || (p.startsWith("cp3") && abi.contains("abi3") && minorOf(p) <= minor));
        boolean abiFits = abi.stream().anyMatch(a -> a.equals("none") || a.equals("abi3") || a.equals("cp3" + minor));
        Pattern station = PLATFORMS.get(stationPlatform);
        boolean platformFits = platform.stream().anyMatch(p -> p.equals("any")
                || (station != null && station.matcher(p.toLowerCase(Locale.ROOT)).matches()));
        return pythonFits && abiFits && platformFits;
    }

    private static int minorOf(String tag) {
        try {
            return Integer.parseInt(tag.substring(3));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
