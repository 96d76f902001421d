package io.benchline.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatenciesTest {
    @Test
    void percentilesOfAUniformSpread() {
        Latencies l = new Latencies();
        for (int ms = 1; ms <= 100; ms++) {
            l.recordMillis(ms);
        }
        assertThat(l.count()).isEqualTo(100);
        assertThat(l.p50()).isCloseTo(50, within(0.1));
        assertThat(l.p99()).isCloseTo(99, within(0.1));
        assertThat(l.maxMillis()).isCloseTo(100, within(0.1));
    }

    @Test
    void noSamplesIsNotANumber() {
        assertThat(new Latencies().p99()).isNaN();
        assertThat(Report.ms(Double.NaN)).isEqualTo("-");
    }

    @Test
    void ratiosAndDurationsPrintPlainly() {
        assertThat(Report.ratio(1.234)).isEqualTo("1.23x");
        assertThat(Report.ratio(Double.NaN)).isEqualTo("-");
        assertThat(Report.ms(12_345)).isEqualTo("12.3 s");
        assertThat(Report.ms(0.5)).isEqualTo("0.50 ms");
    }
}
