package io.benchline.stack;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PortsTest {

    @Test
    void freePortsComeFromBelowTheEphemeralRangeAreBindableAndNeverRepeat() throws Exception {
        int low = Ports.ephemeralLow();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = Ports.free();
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
            if (low - Ports.LOWEST >= 1_000) {
                assertThat(port).isBetween(Ports.LOWEST, low - 1);
            }
        }
        int port = Ports.free();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(port));
            assertThat(server.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void serviceRangesComeFromBelowTheEphemeralRangeAndOverlapNothingHandedOut() {
        int low = Ports.ephemeralLow();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int single = Ports.free();
            assertThat(seen.add(single)).as("port %d handed out twice", single).isTrue();
            int base = Ports.freeRange(5);
            assertThat(base).isGreaterThanOrEqualTo(Ports.LOWEST);
            assertThat(base + 4).isLessThan(low);
            for (int port = base; port < base + 5; port++) {
                assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
            }
        }
    }

    @Test
    void randomStackPortsAreAllBelowTheEphemeralRange() {
        StackOptions options = StackOptions.randomPorts(java.nio.file.Path.of("unused"));
        assertThat(options.servicePortBase() + LocalStack.PORT_ORDER.size() - 1).isLessThan(Ports.ephemeralLow());
        assertThat(options.gatewayPort()).isLessThan(Ports.ephemeralLow());
    }
}
