package io.benchline.deployments.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Intervals as the API writes them: whole seconds, minutes or hours ({@code 90s}, {@code 5m}, {@code 1h}). */
final class Intervals {
    private static final Pattern SHORT = Pattern.compile("([0-9]{1,7})\\s*(s|m|h)");

    private Intervals() {
    }

    /** {@code 90s}, {@code 5m}, {@code 1h}, or ISO-8601 ({@code PT5M}); null when it is neither, or not whole seconds. */
    static Duration parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        if (t.startsWith("pt")) {
            try {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                return d.getNano() == 0 ? d : null;
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** The shortest of {@code Nh}, {@code Nm}, {@code Ns} that is exact. */
    static String format(long seconds) {
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
