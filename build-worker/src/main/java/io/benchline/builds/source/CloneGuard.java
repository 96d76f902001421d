package io.benchline.builds.source;

import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.Deadline;
import io.benchline.repositories.CloneUrlPolicy;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.transport.HttpTransport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.HttpConnectionFactory2;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Proxy;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Guards one clone: where it may connect, how long it may take and how large it may grow.
 * <ul>
 * <li>{@link #admit}: before anything is fetched, the clone URL must pass the clone URL policy after its host was
 * resolved, and git must read the URL's scheme and host as the policy did.</li>
 * <li>While the clone runs, every HTTP connection JGit opens (redirects included) passes the policy again, through
 * {@link Connections}, the connection factory installed for all of JGit's HTTP, which asks the guard of the clone on
 * its thread. The JVM caches the host's resolved addresses (30 s by default), so the connection uses the addresses
 * just checked.</li>
 * <li>JGit asks {@link #isCancelled()} as objects arrive: the clone is cancelled past the build's deadline or the
 * size limit; the directory is measured at most every 200 ms.</li>
 * </ul>
 */
final class CloneGuard implements ProgressMonitor {
    private static final ThreadLocal<CloneGuard> CURRENT = new ThreadLocal<>();

    private final Deadline deadline;
    private final Path directory;
    private final long maxBytes;
    private final CloneUrlPolicy policy;
    private final CloneUrlPolicy.Resolver resolver;
    private long nextMeasureNanos;
    private volatile String reason;

    CloneGuard(Deadline deadline, Path directory, long maxBytes, CloneUrlPolicy policy,
            CloneUrlPolicy.Resolver resolver) {
        this.deadline = deadline;
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.policy = policy;
        this.resolver = resolver;
    }

    /**
     * Refuses a clone URL the policy does not allow once its host is resolved, or that git would read differently
     * from the policy (another scheme or host), with a reason for the build log.
     */
    static void admit(CloneUrlPolicy policy, CloneUrlPolicy.Resolver resolver, String cloneUrl) {
        policy.checkResolved(cloneUrl, resolver).ifPresent(refusal -> {
            throw new BuildFailure("clone URL " + CloneUrlPolicy.redact(cloneUrl) + " refused (" + refusal.rule().id()
                    + "): " + refusal.message());
        });
        CloneUrlPolicy.Target target = CloneUrlPolicy.parse(cloneUrl);
        URIish uri;
        try {
            uri = new URIish(cloneUrl);
        } catch (URISyntaxException e) {
            throw new BuildFailure("clone URL " + CloneUrlPolicy.redact(cloneUrl) + " cannot be read by git: "
                    + e.getReason());
        }
        String gitScheme = uri.getScheme() == null ? (uri.getHost() == null ? "file" : "ssh")
                : uri.getScheme().toLowerCase(Locale.ROOT);
        String gitHost = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT)
                .replaceAll("^\\[|\\]$", "").replaceAll("\\.+$", "");
        if (!gitScheme.equals(target.scheme()) || !Objects.equals(gitHost, target.host())) {
            throw new BuildFailure("clone URL " + CloneUrlPolicy.redact(cloneUrl) + " refused (malformed-url): git "
                    + "reads it as " + gitScheme + (gitHost == null ? "" : " to " + gitHost)
                    + ", not as the clone URL policy does");
        }
    }

    /** Runs the clone with this guard answering for the HTTP connections JGit opens on this thread. */
    <T> T around(java.util.concurrent.Callable<T> clone) throws Exception {
        Connections.install();
        CURRENT.set(this);
        try {
            return clone.call();
        } finally {
            CURRENT.remove();
        }
    }

    /** Why the clone was cancelled, or null. */
    String reason() {
        return reason;
    }

    @Override
    public boolean isCancelled() {
        if (reason != null) {
            return true;
        }
        if (deadline.expired()) {
            reason = deadline.timedOut().getMessage();
            return true;
        }
        long now = System.nanoTime();
        if (now - nextMeasureNanos >= 0) {
            nextMeasureNanos = now + 200_000_000L;
            long size = sizeOf(directory);
            if (size > maxBytes) {
                reason = "repository exceeds the size limit of " + maxBytes
                        + " bytes (benchline.build.max-repository-size)";
                return true;
            }
        }
        return false;
    }

    static long sizeOf(Path directory) {
        if (!Files.exists(directory)) {
            return 0;
        }
        AtomicLong total = new AtomicLong();
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.forEach(p -> {
                try {
                    BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class);
                    if (attrs.isRegularFile()) {
                        total.addAndGet(attrs.size());
                    }
                } catch (IOException ignored) {
                    // A pack's temporary file can vanish while we walk; it is counted once it lands.
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return total.get();
        }
        return total.get();
    }

    /**
     * JGit's HTTP connection factory for this process: each connection (the clone URL, every redirect) must pass the
     * clone URL policy of the clone on the same thread; a connection outside a guarded clone is refused.
     */
    static final class Connections implements HttpConnectionFactory2 {
        private static final Object LOCK = new Object();
        private final HttpConnectionFactory2 delegate = new JDKHttpConnectionFactory();

        static void install() {
            synchronized (LOCK) {
                if (!(HttpTransport.getConnectionFactory() instanceof Connections)) {
                    HttpTransport.setConnectionFactory(new Connections());
                }
            }
        }

        @Override
        public HttpConnection create(URL url) throws IOException {
            check(url);
            return delegate.create(url);
        }

        @Override
        public HttpConnection create(URL url, Proxy proxy) throws IOException {
            check(url);
            return delegate.create(url, proxy);
        }

        @Override
        public GitSession newSession() {
            return delegate.newSession();
        }

        static void check(URL url) throws IOException {
            CloneGuard guard = CURRENT.get();
            if (guard == null) {
                throw new IOException("refused: git HTTP outside a guarded clone");
            }
            var refusal = guard.policy.checkConnection(url.getProtocol(), url.getHost(), guard.resolver);
            if (refusal.isPresent()) {
                guard.reason = "clone refused a connection to " + url.getProtocol() + "://" + url.getHost() + " ("
                        + refusal.get().rule().id() + "): " + refusal.get().message();
                throw new IOException(guard.reason);
            }
        }
    }

    @Override
    public void start(int totalTasks) {
    }

    @Override
    public void beginTask(String title, int totalWork) {
    }

    @Override
    public void update(int completed) {
    }

    @Override
    public void endTask() {
    }

    @Override
    public void showDuration(boolean enabled) {
    }
}
