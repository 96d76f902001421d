package io.benchline.bench;

import org.HdrHistogram.Histogram;

/** Latencies in microseconds (1 µs to 10 min, 3 significant digits), read back in milliseconds. Thread-safe. */
public final class Latencies {
    private static final long MAX_MICROS = 600_000_000L;
    private final Histogram histogram = new Histogram(1, MAX_MICROS, 3);

    public synchronized void recordNanos(long nanos) {
        histogram.recordValue(Math.max(1, Math.min(MAX_MICROS, nanos / 1_000)));
    }

    public synchronized void recordMillis(double millis) {
        recordNanos((long) (millis * 1_000_000));
    }

    public synchronized long count() {
        return histogram.getTotalCount();
    }

    /** The latency at the percentile (0-100), in milliseconds; NaN with no samples. */
    public synchronized double percentileMillis(double percentile) {
        if (histogram.getTotalCount() == 0) {
            return Double.NaN;
        }
        return histogram.getValueAtPercentile(percentile) / 1_000.0;
    }

    public double p50() {
        return percentileMillis(50);
    }

    public double p95() {
        return percentileMillis(95);
    }

    public double p99() {
        return percentileMillis(99);
    }

    public synchronized double maxMillis() {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getMaxValue() / 1_000.0;
    }

    /** "p50 / p99 ms", as the report shows a pair. */
    public String p50p99() {
        return Report.ms(p50()) + " / " + Report.ms(p99());
    }
}
