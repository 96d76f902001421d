package io.benchline.gateway;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The route table as a function: prefixes match whole segments, nothing escapes them. */
class RoutesTest {

    @Test
    void prefixesMatchWholeSegments() {
        assertThat(Routes.route("/v2/keys")).contains(Upstream.ARTIFACT);
        assertThat(Routes.route("/v2/keys/ed25519-1")).contains(Upstream.ARTIFACT);
        assertThat(Routes.route("/v2/keysmith")).isEmpty();
        assertThat(Routes.route("/v2/uploads")).contains(Upstream.ARTIFACT);
        assertThat(Routes.route("/v2/api-keys")).contains(Upstream.DEPLOYMENT);
        assertThat(Routes.route("/webhooks/github/hk_1")).contains(Upstream.WEBHOOK);
        assertThat(Routes.route("/webhooks")).isEmpty();
        assertThat(Routes.route("/agent/v1/assignments")).contains(Upstream.DISPATCHER);
        assertThat(Routes.route("/internal/v1/hooks/hk_1")).isEmpty();
    }

    @Test
    void refusesPathsThatCouldLeaveTheirPrefix() {
        assertThat(Routes.route("/v2/stations/../../internal/v1/x")).isEmpty();
        assertThat(Routes.route("/v2/stations/%2E%2E/internal")).isEmpty();
        assertThat(Routes.route("/v2/stations/.;x/internal")).isEmpty();
        assertThat(Routes.route("/v2/stations/a%2finternal")).isEmpty();
        assertThat(Routes.route("/v2/stations/a\\..\\internal")).isEmpty();
        assertThat(Routes.route("/v2/stations/%zz")).isEmpty();
        assertThat(Routes.route("v2/stations")).isEmpty();
        // Dots inside a name are fine.
        assertThat(Routes.route("/v2/keys/a..b")).contains(Upstream.ARTIFACT);
        assertThat(Routes.route("/webhooks/github/hk_1%20x")).contains(Upstream.WEBHOOK);
    }
}
