package io.benchline.testsupport;

import io.benchline.testsupport.InfraSelection.Backend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every requested value with and without a Docker engine; where the value comes from. */
class InfraSelectionTest {

    @Test
    void autoTakesContainersOnlyWithAnEngine() {
        assertThat(InfraSelection.decide("auto", true)).isEqualTo(Backend.CONTAINERS);
        assertThat(InfraSelection.decide("auto", false)).isEqualTo(Backend.EMBEDDED);
    }

    @Test
    void nothingAskedIsAuto() {
        assertThat(InfraSelection.decide(null, false)).isEqualTo(Backend.EMBEDDED);
        assertThat(InfraSelection.decide("", false)).isEqualTo(Backend.EMBEDDED);
        assertThat(InfraSelection.decide("  ", true)).isEqualTo(Backend.CONTAINERS);
    }

    @Test
    void embeddedIgnoresTheEngine() {
        assertThat(InfraSelection.decide("embedded", true)).isEqualTo(Backend.EMBEDDED);
        assertThat(InfraSelection.decide("embedded", false)).isEqualTo(Backend.EMBEDDED);
    }

    @Test
    void containersWithAnEngine() {
        assertThat(InfraSelection.decide("containers", true)).isEqualTo(Backend.CONTAINERS);
    }

    @Test
    void containersWithoutAnEngineFailsNamingTheProperty() {
        assertThatThrownBy(() -> InfraSelection.decide("containers", false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("benchline.test.infra")
                .hasMessageContaining("BENCHLINE_TEST_INFRA")
                .hasMessageContaining("no Docker engine");
    }

    @Test
    void valuesIgnoreCaseAndSpaces() {
        assertThat(InfraSelection.decide(" Containers ", true)).isEqualTo(Backend.CONTAINERS);
        assertThat(InfraSelection.decide("EMBEDDED", true)).isEqualTo(Backend.EMBEDDED);
        assertThat(InfraSelection.decide("Auto", false)).isEqualTo(Backend.EMBEDDED);
    }

    @Test
    void anUnknownValueFailsWithEngineOrWithout() {
        for (boolean docker : new boolean[] {true, false}) {
            assertThatThrownBy(() -> InfraSelection.decide("docker", docker))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("benchline.test.infra")
                    .hasMessageContaining("'docker'")
                    .hasMessageContaining("auto, embedded or containers");
        }
    }

    @Test
    void thePropertyWinsOverTheEnvironment() {
        assertThat(InfraSelection.requested("embedded", "containers")).isEqualTo("embedded");
        assertThat(InfraSelection.requested(null, "containers")).isEqualTo("containers");
        assertThat(InfraSelection.requested(" ", "containers")).isEqualTo("containers");
        assertThat(InfraSelection.requested(null, null)).isEqualTo("auto");
        assertThat(InfraSelection.requested("", "")).isEqualTo("auto");
    }

    @Test
    void thisJvmFollowsTheProperty() {
        String before = System.getProperty(InfraSelection.PROPERTY);
        try {
            System.setProperty(InfraSelection.PROPERTY, "embedded");
            assertThat(InfraSelection.current()).isEqualTo(Backend.EMBEDDED);
            System.setProperty(InfraSelection.PROPERTY, "podman");
            assertThatThrownBy(InfraSelection::current).isInstanceOf(IllegalArgumentException.class);
        } finally {
            restore(before);
        }
    }

    /** As on these machines: no DOCKER_HOST, no socket, so auto is embedded without asking Testcontainers. */
    @Test
    void autoWithoutAnEngineHereIsEmbedded() {
        assumeFalse(InfraSelection.engineHinted(), "a Docker engine may be reachable here");
        String before = System.getProperty(InfraSelection.PROPERTY);
        try {
            System.clearProperty(InfraSelection.PROPERTY);
            assumeTrue(System.getenv(InfraSelection.ENV) == null, "BENCHLINE_TEST_INFRA is set");
            assertThat(InfraSelection.current()).isEqualTo(Backend.EMBEDDED);
        } finally {
            restore(before);
        }
    }

    private static void restore(String value) {
        if (value == null) {
            System.clearProperty(InfraSelection.PROPERTY);
        } else {
            System.setProperty(InfraSelection.PROPERTY, value);
        }
    }
}
