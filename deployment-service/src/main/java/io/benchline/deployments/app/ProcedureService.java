package io.benchline.deployments.app;

import io.benchline.common.api.ProblemException;
import io.benchline.deployments.model.Procedure;
import io.benchline.deployments.model.RepositoryKeys;
import io.benchline.deployments.store.ProcedureRepository;
import io.benchline.events.EventIds;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/** Procedures of an organization: create, read, change. Each procedure gets its own webhook id and secret. */
@ApplicationScoped
public class ProcedureService {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final ProcedureRepository procedures;

    public ProcedureService(ProcedureRepository procedures) {
        this.procedures = procedures;
    }

    @WithTransaction
    public Uni<Procedure> create(String orgId, ProcedureSpec spec) {
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
            setRepository(p, spec.provider(), spec.cloneUrl(), spec.fullName());
            p.hookId = EventIds.withPrefix("hk");
            p.hookSecret = newSecret();
            p.nextSequence = 1;
            p.createdAt = Clock.now();
            p.updatedAt = p.createdAt;
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
        return procedures.lockInOrg(orgId, id).map(p -> found(p, id))
                .chain(p -> (change.name() == null ? Uni.createFrom().item(false)
                        : procedures.nameTaken(orgId, change.name(), p.id)).map(taken -> {
                    if (taken) {
                        throw nameConflict(change.name());
                    }
                    if (change.name() != null) {
                        p.name = change.name();
                    }
                    if (change.provider() != null || change.cloneUrl() != null || change.fullName() != null) {
                        setRepository(p, change.provider() != null ? change.provider() : p.provider,
                                change.cloneUrl() != null ? change.cloneUrl() : p.cloneUrl,
                                change.fullName() != null ? change.fullName() : p.fullName);
                    }
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

    /** Internal lookup for webhook-service: a hook's organization and secret. */
    @WithSession
    public Uni<Procedure> byHookId(String hookId) {
        return procedures.findByHookId(hookId).map(p -> found(p, hookId));
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
