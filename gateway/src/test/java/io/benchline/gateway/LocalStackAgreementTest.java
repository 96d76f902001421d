package io.benchline.gateway;

import io.benchline.stack.LocalStack;
import io.benchline.stack.ServiceEnvironment;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local stack (and, through ComposeFileTest, docker-compose.yml) sets one environment variable per upstream; they
 * must be this module's configuration keys and point at the services the route table names.
 */
class LocalStackAgreementTest {

    @Test
    void theLocalStackSetsEveryUpstreamToTheServiceTheRoutesName() {
        Map<String, String> expected = new LinkedHashMap<>();
        Arrays.stream(Upstream.values()).forEach(upstream -> expected.put(upstream.envVar(), upstream.service()));
        assertThat(ServiceEnvironment.GATEWAY_UPSTREAMS).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(ServiceEnvironment.required(LocalStack.GATEWAY)).containsExactlyInAnyOrderElementsOf(expected.keySet());
    }

    @Test
    void everyUpstreamServiceIsOneTheLocalStackStarts() {
        for (Routes.Route route : Routes.TABLE) {
            assertThat(LocalStack.SERVICES).as(route.prefix()).contains(route.upstream().service());
        }
    }

    @Test
    void environmentVariablesAreTheConfigKeysAsSmallRyeMapsThem() {
        assertThat(Upstream.WEBHOOK.envVar()).isEqualTo("BENCHLINE_GATEWAY_WEBHOOK_URL");
        assertThat(Upstream.DISPATCHER.configKey()).isEqualTo("dispatcher-url");
        assertThat(Upstream.DASHBOARD.envVar()).isEqualTo("BENCHLINE_GATEWAY_DASHBOARD_URL");
        assertThat(Upstream.DASHBOARD.service()).isEqualTo(LocalStack.DASHBOARD);
    }
}
