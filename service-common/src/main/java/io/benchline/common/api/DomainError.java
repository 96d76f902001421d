package io.benchline.common.api;

import java.util.List;
import java.util.Map;

/**
 * A broken rule of the domain, named by its own type (say {@code DeploymentInUse}). Use cases throw these and do not
 * choose HTTP statuses: each error names its {@link Category}, and {@link ProblemMapper#status} maps categories to
 * statuses in one place.
 */
public abstract class DomainError extends RuntimeException {
    /** What kind of refusal this is; the HTTP status follows from it in {@link ProblemMapper}. */
    public enum Category { INVALID, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, TOO_LARGE, UNAVAILABLE }

    protected DomainError(String detail) {
        super(detail);
    }

    public abstract Category category();

    /** The last segment of the problem type URI, e.g. {@code deployment-in-use}. */
    public abstract String kind();

    /** Field-level problems, for invalid input; null otherwise. */
    public List<Problem.FieldError> errors() {
        return null;
    }

    /** Extension members of the problem body (RFC 9457 section 3.2), e.g. the stations that block a delete. */
    public Map<String, Object> extensions() {
        return Map.of();
    }
}
