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
    void aProceduresRolloutsAndStationSettingsGoToTheDispatcherTheRestToDeploymentService() {
        assertThat(Routes.route("/v2/procedures/p_1/rollouts")).contains(Upstream.DISPATCHER);
        assertThat(Routes.route("/v2/procedures/p_1/rollouts/x/y")).contains(Upstream.DISPATCHER);
        assertThat(Routes.route("/v2/procedures/p_1/station-settings")).contains(Upstream.DISPATCHER);
        assertThat(Routes.route("/v2/procedures/p_1/station-settings/line-3")).contains(Upstream.DISPATCHER);
        assertThat(Routes.route("/v2/procedures/p%201/rollouts")).contains(Upstream.DISPATCHER);

        assertThat(Routes.route("/v2/procedures")).contains(Upstream.DEPLOYMENT);
        assertThat(Routes.route("/v2/procedures/p_1")).contains(Upstream.DEPLOYMENT);
        assertThat(Routes.route("/v2/procedures/p_1/")).contains(Upstream.DEPLOYMENT);
        assertThat(Routes.route("/v2/procedures/p_1/reconcile")).contains(Upstream.DEPLOYMENT);
        assertThat(Routes.route("/v2/procedures/p_1/rolloutsx")).as("whole segments").contains(Upstream.DEPLOYMENT);
        assertThat(Routes.route("/v2/procedures/p_1/station-settingsx")).contains(Upstream.DEPLOYMENT);
        assertThat(Routes.route("/v2/procedures/rollouts")).as("a procedure named rollouts")
                .contains(Upstream.DEPLOYMENT);
        assertThat(Routes.route("/v2/procedures//rollouts")).as("no procedure segment").contains(Upstream.DEPLOYMENT);
        assertThat(Routes.route("/v2/procedures/p_1/x/rollouts")).contains(Upstream.DEPLOYMENT);
    }

    @Test
    void theRootIsTheDashboardsAsAnExactPathNotACatchAll() {
        assertThat(Routes.route("/")).contains(Upstream.DASHBOARD);
        for (String path : new String[] {"/sign-in", "/sign-out", "/procedures", "/procedures/p_1",
                "/procedures/p_1/deployments", "/deployments/d_1", "/deployments/d_1/logs/stream",
                "/deployments/d_1/files/a/b.py", "/procedures/p_1/rollouts", "/rollouts/ro_1", "/rollouts/ro_1/live",
                "/stations", "/stations/stn_1", "/stations/stn_1/unpin", "/api-keys", "/api-keys/key_1/revoke",
                "/procedures/p_1/settings", "/procedures/p_1/history", "/static/dashboard.css", "/static/"}) {
            assertThat(Routes.route(path)).as(path).contains(Upstream.DASHBOARD);
        }
        for (String path : new String[] {"//", "/x", "/favicon.ico", "/static", "/sign-inx", "/proceduresx", "/rolloutsx",
                "/stationsx", "/api-keysx",
                "/internal/v1/x", "/q/health", "/q/dev", "/deployments/../internal/v1/x", "/static/..%2finternal"}) {
            assertThat(Routes.route(path)).as(path).isEmpty();
        }
        // The API's paths of the same names stay the API's.
        assertThat(Routes.route("/v2/procedures")).contains(Upstream.DEPLOYMENT);
        assertThat(Routes.route("/v2/deployments/d_1/logs")).contains(Upstream.DEPLOYMENT);
        assertThat(Routes.Route.exact("/x", Upstream.DASHBOARD).matches("/x/y")).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Routes.Route.exact("/v2/*", Upstream.DEPLOYMENT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWildcardStandsForAWholeSegmentOnly() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Routes.Route("/v2/p*/x", Upstream.DEPLOYMENT))
                .isInstanceOf(IllegalArgumentException.class);
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
        assertThat(Routes.route("/v2/procedures/p_1/rollouts/../x")).isEmpty();
        assertThat(Routes.route("/v2/procedures/p_1/rollouts/../../../internal/v1/x")).isEmpty();
        assertThat(Routes.route("/v2/procedures/../stations/rollouts")).isEmpty();
        assertThat(Routes.route("/v2/procedures/%2e%2e/rollouts")).isEmpty();
        assertThat(Routes.route("/v2/procedures/p_1%2frollouts")).isEmpty();
        assertThat(Routes.route("/v2/procedures/.;x/station-settings")).isEmpty();
        // Dots inside a name are fine.
        assertThat(Routes.route("/v2/keys/a..b")).contains(Upstream.ARTIFACT);
        assertThat(Routes.route("/webhooks/github/hk_1%20x")).contains(Upstream.WEBHOOK);
    }
}
