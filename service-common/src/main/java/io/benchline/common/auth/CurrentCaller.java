package io.benchline.common.auth;

import io.benchline.common.api.ProblemException;
import jakarta.enterprise.context.RequestScoped;

/** The caller of the current {@code /v2} request, set by {@link ApiKeyFilter}. */
@RequestScoped
public class CurrentCaller {
    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    public Caller get() {
        if (caller == null) {
            throw ProblemException.unauthorized("an API key is required: send Authorization: Bearer <key>");
        }
        return caller;
    }

    public String orgId() {
        return get().orgId();
    }

    /** The caller, if its role includes {@code needed}; otherwise {@link MissingRole} (403). */
    public Caller require(Role needed, String action) {
        Caller c = get();
        if (!c.role().includes(needed)) {
            throw new MissingRole(c.role(), needed, action);
        }
        return c;
    }
}
