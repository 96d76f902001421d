package io.benchline.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The plain text table the bench prints: figure, value, baseline (measured in the same run), ratio
 * (value over baseline, on the number the figure names) and target. Notes say how a baseline was made.
 */
public final class Report {
    public record Row(String section, String figure, String value, String baseline, double ratio, String target) {
    }

    private final List<String> header = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public synchronized void header(String line) {
        header.add(line);
    }

    public synchronized void row(String section, String figure, String value, String baseline, double ratio,
            String target) {
        rows.add(new Row(section, figure, value, baseline, ratio, target));
    }

    public synchronized void note(String line) {
        notes.add(line);
    }

    public synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    public synchronized void print(PrintStream out) {
        header.forEach(out::println);
        out.println();
        String[] titles = {"figure", "value", "baseline", "ratio", "target"};
        int[] width = new int[titles.length];
        for (int i = 0; i < titles.length; i++) {
            width[i] = titles[i].length();
        }
        for (Row r : rows) {
            String[] cells = cells(r);
            for (int i = 0; i < cells.length; i++) {
                width[i] = Math.max(width[i], cells[i].length());
            }
        }
        String format = String.format("%%-%ds  %%-%ds  %%-%ds  %%%ds  %%s%%n", width[0], width[1], width[2], width[3]);
        out.printf(format, (Object[]) titles);
        out.println("-".repeat(width[0] + width[1] + width[2] + width[3] + width[4] + 8));
        String section = null;
        List<Row> ordered = new ArrayList<>(rows);
        ordered.sort(java.util.Comparator.comparingInt(r -> order(r.section())));
        for (Row r : ordered) {
            if (!r.section().equals(section)) {
                section = r.section();
                out.println("[" + section + "]");
            }
            out.printf(format, (Object[]) cells(r));
        }
        if (!notes.isEmpty()) {
            out.println();
            notes.forEach(n -> out.println("* " + n));
        }
    }

    /** Sections print in figure order ("1. …" first), whatever order the parts ran in. */
    private static int order(String section) {
        int dot = section.indexOf('.');
        try {
            return dot > 0 ? Integer.parseInt(section.substring(0, dot)) : 99;
        } catch (NumberFormatException e) {
            return 99;
        }
    }

    private static String[] cells(Row r) {
        return new String[] {r.figure(), r.value(), r.baseline(), ratio(r.ratio()), r.target()};
    }

    public static String ratio(double ratio) {
        if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
            return "-";
        }
        return ratio >= 100 ? String.format(Locale.ROOT, "%.0fx", ratio) : String.format(Locale.ROOT, "%.2fx", ratio);
    }

    public static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "-";
        }
        if (millis >= 10_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000);
        }
        return millis >= 100 ? String.format(Locale.ROOT, "%.0f ms", millis)
                : String.format(Locale.ROOT, "%.2f ms", millis);
    }

    public static String seconds(double seconds) {
        return seconds < 1 ? String.format(Locale.ROOT, "%.3f s", seconds)
                : String.format(Locale.ROOT, "%.2f s", seconds);
    }

    public static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f/s", perSecond);
    }

    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", bytes / (1024 * 1024));
    }
}
