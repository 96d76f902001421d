package io.benchline.deployments.app;

import io.benchline.common.api.ProblemException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.benchline.deployments.model.Deployment;
import io.benchline.deployments.model.Procedure;
import io.benchline.deployments.model.ProcedureReconcile;
import io.benchline.deployments.model.RepositoryCredentials;
import io.benchline.deployments.model.RepositoryKeys;
import io.benchline.common.auth.Caller;
import io.benchline.deployments.store.DeploymentRepository;
import io.benchline.deployments.store.ProcedureHistoryRepository;
import io.benchline.deployments.store.ProcedureRepository;
import io.benchline.events.EventIds;
import io.benchline.repositories.CloneUrlPolicy;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Procedures of an organization: create, read, change. Each procedure gets its own webhook id and secret. Clone URLs
 * pass the clone URL policy; repository credentials are sealed by {@link CredentialsCipher} and opened only for the
 * build of one of the procedure's deployments ({@link #credentialsForBuild}).
 */
@ApplicationScoped
public class ProcedureService {
    private static final Logger LOG = Logger.getLogger(ProcedureService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ProcedureRepository procedures;
    private final DeploymentRepository deployments;
    private final CloneUrlPolicy policy;
    private final CredentialsCipher cipher;
    private final ReconcileConfig reconcileConfig;
    private final ProcedureHistoryRepository history;

    public ProcedureService(ProcedureRepository procedures, DeploymentRepository deployments, CloneUrlPolicy policy,
            CredentialsCipher cipher, ReconcileConfig reconcileConfig, ProcedureHistoryRepository history) {
        this.reconcileConfig = reconcileConfig;
        this.history = history;
        this.procedures = procedures;
        this.deployments = deployments;
        this.policy = policy;
        this.cipher = cipher;
    }

    @WithTransaction
    public Uni<Procedure> create(String orgId, ProcedureSpec spec) {
        if (spec.cloneUrl() != null) {
            checkCloneUrl(spec.cloneUrl());
        }
        if (spec.credentials() != null) {
            checkFits(spec.credentials().type(), spec.cloneUrl());
        }
        return procedures.nameTaken(orgId, spec.name(), null).chain(taken -> {
            if (taken) {
                throw nameConflict(spec.name());
            }
            Procedure p = new Procedure();
            p.id = EventIds.withPrefix("prc");
            p.orgId = orgId;
            p.name = spec.name();
            p.productionBranch = spec.productionBranch() == null ? "main" : spec.productionBranch();
            p.autoPush = spec.autoPush() == null || spec.autoPush();
            p.excludedBranches = spec.excludedBranches() == null ? List.of() : List.copyOf(spec.excludedBranches());
            if (spec.cloneUrl() != null) {
                setRepository(p, spec.provider(), spec.cloneUrl(), spec.fullName());
            }
            p.hookId = EventIds.withPrefix("hk");
            if (spec.credentials() != null) {
                p.credentials = seal(p.id, spec.credentials());
            }
            p.hookSecret = newSecret();
            p.nextSequence = 1;
            p.createdAt = Clock.now();
            p.updatedAt = p.createdAt;
            ProcedureSpec.Reconcile reconcile = spec.reconcile();
            p.reconcile().enabled = reconcile != null && Boolean.TRUE.equals(reconcile.enabled());
            p.reconcile().intervalSeconds = (int) (reconcile != null && reconcile.interval() != null
                    ? reconcile.interval() : reconcileConfig.defaultInterval()).toSeconds();
            p.reconcile().restart(p.createdAt);
            // Flushed here, so a create racing another of the same name (both passed nameTaken) answers 409, not 500.
            return procedures.persistAndFlush(p)
                    .onFailure(ProcedureService::isUniqueViolation).transform(f -> nameConflict(spec.name()));
        });
    }

    @WithSession
    public Uni<List<Procedure>> list(String orgId) {
        return procedures.listInOrg(orgId);
    }

    @WithSession
    public Uni<Procedure> get(String orgId, String id) {
        return procedures.findInOrg(orgId, id).map(p -> found(p, id));
    }

    @WithTransaction
    public Uni<Procedure> update(String orgId, String id, ProcedureSpec change) {
        if (change.cloneUrl() != null) {
            checkCloneUrl(change.cloneUrl());
        }
        return procedures.lockInOrg(orgId, id).map(p -> found(p, id))
                .chain(p -> (change.name() == null ? Uni.createFrom().item(false)
                        : procedures.nameTaken(orgId, change.name(), p.id)).map(taken -> {
                    if (taken) {
                        throw nameConflict(change.name());
                    }
                    if (change.name() != null) {
                        p.name = change.name();
                    }
                    String cloneUrl = change.cloneUrl() != null ? change.cloneUrl() : p.cloneUrl;
                    if (change.credentials() != null && !change.credentials().removes()) {
                        checkFits(change.credentials().type(), cloneUrl);
                    }
                    if (change.credentials() != null) {
                        p.credentials = change.credentials().removes() ? null : seal(p.id, change.credentials());
                    } else if (p.credentials != null && !sameServer(p.cloneUrl, cloneUrl)) {
                        // Credentials were given for one server: they never follow the URL to another one.
                        LOG.infof("repository credentials of %s removed: its clone URL now names another server", p.id);
                        p.credentials = null;
                    }
                    String repositoryBefore = p.repositoryKey;
                    if (p.cloneUrl == null && (change.cloneUrl() == null || change.provider() == null)
                            && (change.provider() != null || change.cloneUrl() != null || change.fullName() != null)) {
                        throw ProblemException.invalid("repository", "connecting a repository needs its provider and"
                                + " clone_url");
                    }
                    if (p.cloneUrl == null && change.reconcile() != null
                            && Boolean.TRUE.equals(change.reconcile().enabled()) && change.cloneUrl() == null) {
                        throw ProblemException.invalid("reconcile.enabled", "needs a repository to reconcile");
                    }
                    if (change.provider() != null || change.cloneUrl() != null || change.fullName() != null) {
                        setRepository(p, change.provider() != null ? change.provider() : p.provider,
                                change.cloneUrl() != null ? change.cloneUrl() : p.cloneUrl,
                                change.fullName() != null ? change.fullName() : p.fullName);
                    }
                    changeReconcile(p, change.reconcile(), !Objects.equals(repositoryBefore, p.repositoryKey));
                    if (change.productionBranch() != null) {
                        p.productionBranch = change.productionBranch();
                    }
                    if (change.autoPush() != null) {
                        p.autoPush = change.autoPush();
                    }
                    if (change.excludedBranches() != null) {
                        p.excludedBranches = List.copyOf(change.excludedBranches());
                    }
                    p.updatedAt = Clock.now();
                    return p;
                }))
                .call(p -> procedures.flush()
                        .onFailure(ProcedureService::isUniqueViolation).transform(f -> nameConflict(change.name())));
    }

    /**
     * Enabling starts over (the next pass, due now, records the heads and builds nothing), and so does another
     * repository; disabling drops the next pass and the claim of one in flight. A new interval applies from now when
     * that is sooner than the pass already planned.
     */
    private static void changeReconcile(Procedure p, ProcedureSpec.Reconcile change, boolean newRepository) {
        ProcedureReconcile r = p.reconcile();
        Instant now = Clock.now();
        boolean wasEnabled = r.enabled;
        if (change != null && change.enabled() != null) {
            r.enabled = change.enabled();
        }
        if (change != null && change.interval() != null) {
            r.intervalSeconds = (int) change.interval().toSeconds();
            Instant sooner = now.plus(change.interval());
            if (r.nextAt != null && sooner.isBefore(r.nextAt)) {
                r.nextAt = sooner;
            }
        }
        if (!r.enabled) {
            r.nextAt = null;
            r.claim = null;
        } else if (!wasEnabled || newRepository) {
            r.restart(now);
        }
    }

    /** The unique (org_id, name) index refused the row: a concurrent create or rename took the name. */
    private static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.hibernate.exception.ConstraintViolationException
                    || String.valueOf(t.getMessage()).contains("23505")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A new webhook secret for the procedure's hook (its id, so its URLs, stay). The old secret verifies nothing once
     * webhook-service's cache of it expires ({@code benchline.webhooks.secret-cache-ttl}); the procedure's history
     * records who rotated it (never the secret).
     */
    @WithTransaction
    public Uni<Procedure> rotateHookSecret(Caller caller, String id) {
        return procedures.lockInOrg(caller.orgId(), id).map(p -> found(p, id)).chain(p -> {
            p.hookSecret = newSecret();
            p.updatedAt = Clock.now();
            LOG.infof("audit: webhook secret of %s (hook %s) rotated by key %s", p.id, p.hookId, caller.keyId());
            return history.record(p.id, p.orgId, "rotate_webhook_secret", null, null, caller.keyId(),
                    caller.keyName(), null).replaceWith(p);
        });
    }

    /** Internal lookup for webhook-service: a hook's organization and secret. */
    @WithSession
    public Uni<Procedure> byHookId(String hookId) {
        return procedures.findByHookId(hookId).map(p -> found(p, hookId));
    }

    /**
     * The clear credentials of a procedure, for the build of one of its deployments that is pending or building (what
     * build-worker asks right before it clones); null when the procedure has none. Writes an audit line (never the
     * secret).
     */
    @WithSession
    public Uni<CredentialsView> credentialsForBuild(String procedureId, String deploymentId) {
        return procedures.findById(procedureId).map(p -> found(p, procedureId))
                .chain(p -> deployments.findById(deploymentId).map(d -> {
                    if (d == null || !d.procedureId.equals(p.id)) {
                        throw new RepositoryErrors.NotBuilding(p.id, deploymentId, "not a deployment of this procedure");
                    }
                    if (!Deployment.PENDING.equals(d.status) && !Deployment.BUILDING.equals(d.status)) {
                        throw new RepositoryErrors.NotBuilding(p.id, deploymentId, "its build is " + d.status);
                    }
                    if (p.credentials == null) {
                        LOG.infof("audit: the build of %s asked for repository credentials of %s, which has none",
                                deploymentId, p.id);
                        return null;
                    }
                    CredentialsView view = open(p);
                    LOG.infof("audit: repository credentials of %s (%s, key %s, updated %s) handed to the build of %s",
                            p.id, p.credentials.type, p.credentials.keyId, p.credentials.updatedAt, deploymentId);
                    return view;
                }));
    }

    private final java.util.Set<String> auditedForReconcile = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The clear token the reconciler lists the procedure's remote with (it never leaves this process), or null when
     * the procedure has none or a deploy key. The first use of each stored value in this process writes an
     * {@code audit:} line (never the secret), later ones a debug line: a pass runs every few minutes.
     */
    public RemoteHeads.Token tokenForReconcile(Procedure p) {
        if (p.credentials == null || !RepositoryCredentials.TOKEN.equals(p.credentials.type)) {
            return null;
        }
        CredentialsView view = open(p);
        String use = p.id + "@" + p.credentials.updatedAt;
        if (auditedForReconcile.add(use)) {
            LOG.infof("audit: repository credentials of %s (%s, key %s, updated %s) used by the reconciler to list "
                    + "its remote's branches (logged once per process and value)", p.id, p.credentials.type,
                    p.credentials.keyId, p.credentials.updatedAt);
        } else {
            LOG.debugf("audit: repository credentials of %s used by the reconciler", p.id);
        }
        return new RemoteHeads.Token(view.username(), view.token());
    }

    /** Clear repository credentials; {@link #toString} names only the type. */
    public record CredentialsView(String procedureId, String type, String username, String token, String privateKey,
            Instant updatedAt) {
        @Override
        public String toString() {
            return "CredentialsView[" + procedureId + ", type=" + type + "]";
        }
    }

    private void checkCloneUrl(String cloneUrl) {
        policy.check(cloneUrl).ifPresent(refusal -> {
            throw new RepositoryErrors.CloneUrlNotAllowed(refusal);
        });
    }

    private static void checkFits(String type, String cloneUrl) {
        CloneUrlPolicy.Target target = CloneUrlPolicy.parse(cloneUrl);
        String scheme = target.scheme();
        boolean fits = target.isFile() || (type.equals(RepositoryCredentials.TOKEN)
                ? scheme.equals("https") || scheme.equals("http") : scheme.equals("ssh"));
        if (!fits) {
            throw new RepositoryErrors.CredentialsDoNotFit(type, scheme);
        }
    }

    /** Same scheme and host (ssh in either syntax counts as one scheme). */
    private static boolean sameServer(String before, String after) {
        try {
            CloneUrlPolicy.Target a = CloneUrlPolicy.parse(before);
            CloneUrlPolicy.Target b = CloneUrlPolicy.parse(after);
            return a.scheme().equals(b.scheme()) && Objects.equals(a.host(), b.host());
        } catch (CloneUrlPolicy.MalformedCloneUrl e) {
            return false;
        }
    }

    private RepositoryCredentials seal(String procedureId, ProcedureSpec.Credentials given) {
        Map<String, String> clear = new LinkedHashMap<>();
        if (given.type().equals(RepositoryCredentials.TOKEN)) {
            if (given.username() != null) {
                clear.put("username", given.username());
            }
            clear.put("token", given.token());
        } else {
            clear.put("private_key", given.privateKey());
        }
        CredentialsCipher.Sealed sealed;
        try {
            sealed = cipher.seal(procedureId, given.type(), JSON.writeValueAsString(clear));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode repository credentials", e);
        }
        RepositoryCredentials stored = new RepositoryCredentials();
        stored.type = given.type();
        stored.keyId = sealed.keyId();
        stored.nonce = sealed.nonce();
        stored.ciphertext = sealed.ciphertext();
        stored.updatedAt = Clock.now();
        return stored;
    }

    private CredentialsView open(Procedure p) {
        RepositoryCredentials c = p.credentials;
        String clear = cipher.open(p.id, c.type, new CredentialsCipher.Sealed(c.keyId, c.nonce, c.ciphertext));
        try {
            JsonNode node = JSON.readTree(clear);
            String username = text(node, "username");
            if (username == null && c.type.equals(RepositoryCredentials.TOKEN)) {
                // What each provider takes as the user name beside a token (GitHub accepts any).
                username = "gitlab".equals(p.provider) ? "oauth2" : "x-access-token";
            }
            return new CredentialsView(p.id, c.type, username, text(node, "token"), text(node, "private_key"),
                    c.updatedAt);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the repository credentials of " + p.id + " are not readable");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static void setRepository(Procedure p, String provider, String cloneUrl, String fullName) {
        p.provider = provider;
        p.cloneUrl = cloneUrl;
        p.fullName = fullName == null || fullName.isBlank() ? null : fullName.trim();
        p.repositoryKey = RepositoryKeys.normalizeUrl(cloneUrl);
        p.fullNameKey = p.fullName != null ? RepositoryKeys.normalizeFullName(p.fullName)
                : RepositoryKeys.fullNameOf(cloneUrl);
    }

    private static Procedure found(Procedure p, String id) {
        if (p == null) {
            throw ProblemException.notFound(id.startsWith("hk_") ? "hook" : "procedure", id);
        }
        return p;
    }

    private static ProblemException nameConflict(String name) {
        return ProblemException.conflict("name-taken", "a procedure named '" + name + "' already exists");
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
