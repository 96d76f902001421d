package io.benchline.deployments.app;

import io.benchline.repositories.CloneUrlPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.transport.HttpTransport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory2;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

import java.io.IOException;
import java.net.Proxy;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code git ls-remote --heads} through JGit, for the reconciler: the clone URL policy is applied (with the host's
 * resolved addresses) before any remote is contacted, and again to every HTTP connection JGit opens (redirects); a
 * token goes as HTTP basic credentials, never into the URL. JGit blocks, so listings run on the reconciler's own
 * worker pool ({@code benchline.reconcile.concurrency} threads), each within {@code benchline.reconcile.timeout}.
 * SSH remotes cannot be listed: this service has no SSH client (JGit's ssh transport is not on its classpath).
 */
@ApplicationScoped
public class RemoteHeads {
    private final CloneUrlPolicy policy;
    private final Duration timeout;
    private final WorkerExecutor workers;
    private final CloneUrlPolicy.Resolver resolver = CloneUrlPolicy.Resolver.SYSTEM;

    public RemoteHeads(CloneUrlPolicy policy, ReconcileConfig config, Vertx vertx) {
        this.policy = policy;
        this.timeout = config.timeout();
        // The blocking call may outlive the pass's wait by JGit's own socket timeout; never warn about it.
        this.workers = vertx.createSharedWorkerExecutor("benchline-reconcile", Math.max(1, config.concurrency()),
                Math.max(1, config.timeout().toSeconds() * 4), TimeUnit.SECONDS);
        PolicyConnections.install(policy, resolver);
    }

    @PreDestroy
    void close() {
        workers.close();
    }

    /** Clear credentials for one listing; {@link #toString} names no secret. */
    public record Token(String username, String token) {
        @Override
        public String toString() {
            return "Token[" + username + "]";
        }
    }

    /** Why a remote could not be listed, in words for {@code last_reconcile_error} (never a secret). */
    public static final class RemoteFailure extends RuntimeException {
        public RemoteFailure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The remote's branch heads: branch name (without {@code refs/heads/}) → commit id, in name order. Fails with a
     * {@link RemoteFailure}. The result arrives on the caller's Vert.x context.
     */
    public Uni<Map<String, String>> list(String cloneUrl, Token token) {
        return Uni.createFrom().completionStage(() -> workers.<Map<String, String>>executeBlocking(
                        () -> listBlocking(cloneUrl, token), false).toCompletionStage())
                // JGit's own timeout bounds network reads; this bounds the whole call (a file remote has none).
                .ifNoItem().after(timeout.plusSeconds(1)).failWith(() -> new RemoteFailure("ls-remote of "
                        + CloneUrlPolicy.redact(cloneUrl) + " did not answer within " + timeout.toSeconds()
                        + " s (benchline.reconcile.timeout)"));
    }

    Map<String, String> listBlocking(String cloneUrl, Token token) {
        admit(cloneUrl);
        LsRemoteCommand command = Git.lsRemoteRepository()
                .setRemote(cloneUrl)
                .setHeads(true)
                .setTags(false)
                .setTimeout((int) Math.max(1, timeout.toSeconds()));
        if (token != null && token.token() != null) {
            command.setCredentialsProvider(new UsernamePasswordCredentialsProvider(
                    token.username() == null ? "x-access-token" : token.username(), token.token()));
        }
        Collection<Ref> refs;
        try {
            refs = command.call();
        } catch (Exception e) {
            throw new RemoteFailure("ls-remote of " + CloneUrlPolicy.redact(cloneUrl) + " failed: "
                    + hide(CloneUrlPolicy.redact(rootMessage(e)), token));
        }
        Map<String, String> heads = new TreeMap<>();
        for (Ref ref : refs) {
            if (ref.getName().startsWith(Constants.R_HEADS) && ref.getObjectId() != null) {
                heads.put(ref.getName().substring(Constants.R_HEADS.length()), ref.getObjectId().name());
            }
        }
        return heads;
    }

    /**
     * Before anything is contacted: the clone URL policy with the host's addresses as they resolve now, git must
     * read the URL's scheme and host as the policy did, and the scheme must be one this service can speak.
     */
    void admit(String cloneUrl) {
        policy.checkResolved(cloneUrl, resolver).ifPresent(refusal -> {
            throw new RemoteFailure("clone URL " + CloneUrlPolicy.redact(cloneUrl) + " refused ("
                    + refusal.rule().id() + "): " + refusal.message());
        });
        CloneUrlPolicy.Target target = CloneUrlPolicy.parse(cloneUrl);
        if (target.scheme().equals("ssh")) {
            throw new RemoteFailure("ssh remotes cannot be reconciled: deployment-service has no SSH client "
                    + "(JGit's ssh transport is not on its classpath); use an https clone URL with a token");
        }
        URIish uri;
        try {
            uri = new URIish(cloneUrl);
        } catch (URISyntaxException e) {
            throw new RemoteFailure("clone URL " + CloneUrlPolicy.redact(cloneUrl) + " cannot be read by git: "
                    + e.getReason());
        }
        String gitScheme = uri.getScheme() == null ? (uri.getHost() == null ? "file" : "ssh")
                : uri.getScheme().toLowerCase(Locale.ROOT);
        String gitHost = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT)
                .replaceAll("^\\[|\\]$", "").replaceAll("\\.+$", "");
        if (!gitScheme.equals(target.scheme()) || !Objects.equals(gitHost, target.host())) {
            throw new RemoteFailure("clone URL " + CloneUrlPolicy.redact(cloneUrl) + " refused (malformed-url): git "
                    + "reads it as " + gitScheme + (gitHost == null ? "" : " to " + gitHost)
                    + ", not as the clone URL policy does");
        }
    }

    private static String hide(String message, Token token) {
        if (message == null || token == null || token.token() == null || token.token().isEmpty()) {
            return message;
        }
        return message.replace(token.token(), "***");
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return e == t || e.getMessage() == null ? message : e.getMessage() + " (" + message + ")";
    }

    /**
     * JGit's HTTP connection factory in this process (only the reconciler uses JGit here): every connection, the
     * clone URL's and each redirect's, passes the clone URL policy with the host's resolved addresses.
     */
    static final class PolicyConnections implements HttpConnectionFactory2 {
        private final HttpConnectionFactory2 delegate = new JDKHttpConnectionFactory();
        private final CloneUrlPolicy policy;
        private final CloneUrlPolicy.Resolver resolver;

        private PolicyConnections(CloneUrlPolicy policy, CloneUrlPolicy.Resolver resolver) {
            this.policy = policy;
            this.resolver = resolver;
        }

        static synchronized void install(CloneUrlPolicy policy, CloneUrlPolicy.Resolver resolver) {
            HttpTransport.setConnectionFactory(new PolicyConnections(policy, resolver));
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

        private void check(URL url) throws IOException {
            var refusal = policy.checkConnection(url.getProtocol(), url.getHost(), resolver);
            if (refusal.isPresent()) {
                throw new IOException("refused a connection to " + url.getProtocol() + "://" + url.getHost() + " ("
                        + refusal.get().rule().id() + "): " + refusal.get().message());
            }
        }
    }
}
