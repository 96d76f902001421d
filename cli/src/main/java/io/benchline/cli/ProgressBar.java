package io.benchline.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on standard error. On a terminal ({@code live}) one line redrawn in place with {@code \r}, at most every
 * {@value #REDRAW_MILLIS} ms; elsewhere (a pipe, a CI log) only the summary line of each step. Whatever else prints
 * while a bar is shown goes through {@link #println} so that it does not end up behind the bar.
 */
final class ProgressBar {
    static final long REDRAW_MILLIS = 100;
    private static final int WIDTH = 24;

    private final PrintWriter err;
    private final boolean live;
    private String shown = "";
    /** The newest bar asked for, drawn or not (throttled): what comes back after another line. */
    private String latest = "";
    private long drawnAt;

    ProgressBar(PrintWriter err, boolean live) {
        this.err = err;
        this.live = live;
    }

    /** {@code label [#####-----]  42%  detail}; total 0 or less draws no bar. */
    void update(String label, long done, long total, String detail) {
        if (!live) {
            return;
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-9s ", label));
        if (total > 0) {
            long clamped = Math.min(Math.max(done, 0), total);
            int filled = (int) (clamped * WIDTH / total);
            line.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%  ", clamped * 100 / total));
        }
        draw(line.append(detail).toString(), total > 0 && done >= total);
    }

    /** A bar without a measure: a status and a count. */
    void status(String label, String detail) {
        if (live) {
            draw(String.format(Locale.ROOT, "%-9s %s", label, detail), false);
        }
    }

    /** Prints {@code line} to {@code target} (standard output or error) without mixing it into the bar. */
    synchronized void println(PrintWriter target, String line) {
        boolean showing = !shown.isEmpty();
        clear();
        target.println(line);
        target.flush();
        if (showing) {
            paint(latest);
        }
    }

    /** A message on standard error, on a terminal or not, the bar going on below it. */
    void note(String line) {
        println(err, line);
    }

    /** Ends the current bar with a summary line on standard error, on a terminal or not. */
    synchronized void finish(String summary) {
        clear();
        err.println(summary);
        err.flush();
    }

    /** Removes the bar, leaving the cursor at the start of an empty line. */
    synchronized void clear() {
        if (!shown.isEmpty()) {
            err.print("\r" + " ".repeat(shown.length()) + "\r");
            err.flush();
            shown = "";
        }
    }

    private synchronized void draw(String line, boolean complete) {
        latest = line;
        long now = System.nanoTime() / 1_000_000;
        if (!complete && !shown.isEmpty() && now - drawnAt < REDRAW_MILLIS) {
            return;
        }
        drawnAt = now;
        paint(line);
    }

    private void paint(String line) {
        String text = line.length() > 79 ? line.substring(0, 78) + "…" : line;
        String pad = text.length() < shown.length() ? " ".repeat(shown.length() - text.length()) : "";
        err.print("\r" + text + pad);
        err.flush();
        shown = text + pad;
    }
}
