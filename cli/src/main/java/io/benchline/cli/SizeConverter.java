package io.benchline.cli;

import picocli.CommandLine;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a size: bytes ({@code 1048576}), or a number with a unit: {@code K}, {@code M}, {@code G} and
 * {@code KiB}, {@code MiB}, {@code GiB} are powers of 1024, {@code KB}, {@code MB}, {@code GB} powers of 1000.
 */
public final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("^(\\d+(?:\\.\\d+)?)\\s*([kmg]i?b?|b)?$");

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    public static long parse(String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size (examples: 95MiB, 10M,"
                    + " 500KB, 1048576)");
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit) {
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            case "g", "gib" -> 1L << 30;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "b" -> 1L;
            default -> throw new CommandLine.TypeConversionException("'" + value + "': unknown unit " + unit);
        };
        long bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor)).longValue();
        if (bytes <= 0) {
            throw new CommandLine.TypeConversionException("'" + value + "' must be a positive size");
        }
        return bytes;
    }

    /** {@code 512 B}, {@code 1.5 KiB}, {@code 95.0 MiB}. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
