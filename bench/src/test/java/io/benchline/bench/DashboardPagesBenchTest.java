package io.benchline.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DashboardPagesBenchTest {
    @Test
    void aSlowPageGetsFewerSamplesButNeverTooFew() {
        assertThat(DashboardPagesBench.samples(200, 20)).isEqualTo(200);
        assertThat(DashboardPagesBench.samples(200, Double.NaN)).isEqualTo(200);
        assertThat(DashboardPagesBench.samples(200, 400)).isEqualTo(50);
        assertThat(DashboardPagesBench.samples(200, 5_000)).isEqualTo(30);
        assertThat(DashboardPagesBench.samples(10, 5_000)).isEqualTo(10);
    }

    @Test
    void linksReadFromTheHtmlAreUsedAsTheBrowserDoes() {
        assertThat(DashboardPagesBench.unescape("/procedures/p?status=ready&amp;cursor=dep_1"))
                .isEqualTo("/procedures/p?status=ready&cursor=dep_1");
    }

    @Test
    void rowIdsSortAsTheirNumbers() {
        DeploymentRows rows = new DeploymentRows("prc", "bench-list", "org", 1_000_000, 0);
        assertThat(rows.idAtDepth(0)).isEqualTo("dep_0000bench00000000001000000");
        assertThat(rows.idAtDepth(0)).matches("dep_[0-9a-z]{26}");
        assertThat(rows.idAtDepth(1).compareTo(rows.idAtDepth(0))).isNegative();
    }
}
