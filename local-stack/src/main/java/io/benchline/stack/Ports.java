package io.benchline.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Port checks. */
public final class Ports {
    private Ports() {
    }

    /** Where {@link #free()} looks: below the kernel's ephemeral range, which outgoing connections take from. */
    static final int LOWEST = 10_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A port that was free a moment ago, for tests and the bench, which pick ports at random. It comes from below the
     * kernel's ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}): a port from inside it (what
     * {@code new ServerSocket(0)} gives) can be taken by any outgoing connection between the pick and the server's
     * bind, which failed a test stack's start with "port in use" when a Kafka client happened to take it. No port is
     * handed out twice by one JVM.
     */
    public static int free() {
        int below = ephemeralLow();
        if (below - LOWEST >= 1_000) {
            for (int attempt = 0; attempt < 200; attempt++) {
                int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
                if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
                    return port;
                }
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            HANDED_OUT.add(socket.getLocalPort());
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /**
     * The first of {@code count} consecutive ports that were free a moment ago (the services of a test stack), from
     * the same range as {@link #free()} and never overlapping what it or this handed out before.
     */
    public static int freeRange(int count) {
        int below = ephemeralLow() - count;
        for (int attempt = 0; attempt < 200 && below - LOWEST >= 1_000; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(LOWEST, below);
            boolean free = true;
            for (int port = base; port < base + count && free; port++) {
                free = !HANDED_OUT.contains(port) && bindable(port);
            }
            if (free && claim(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no free range of " + count + " ports below " + (below + count));
    }

    private static synchronized boolean claim(int base, int count) {
        for (int port = base; port < base + count; port++) {
            if (HANDED_OUT.contains(port)) {
                return false;
            }
        }
        for (int port = base; port < base + count; port++) {
            HANDED_OUT.add(port);
        }
        return true;
    }

    /** The first port of the kernel's ephemeral range (Linux); 32768, the usual one, where it cannot be read. */
    static int ephemeralLow() {
        try {
            // Read as a stream: the file reports a size that Files.readString trusts and cuts at (seen here).
            try (var reader = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                return Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Fails with a clear message when something already listens on the port. */
    public static void requireFree(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new StackException("port " + port + " for " + what + " is already in use; stop what uses it or choose"
                    + " another port (see --help)");
        }
    }

    public static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
