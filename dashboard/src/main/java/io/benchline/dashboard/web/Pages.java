package io.benchline.dashboard.web;

import io.benchline.dashboard.session.CurrentSession;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.util.Map;

/** Small helpers every page resource shares. */
final class Pages {
    /** What a finished action says on the page it lands on ({@code ?done=}); fixed texts, never from the URL. */
    private static final Map<String, String> DONE = Map.of(
            "deleted", "The deployment was deleted.",
            "rolled-back", "Rollback started: the procedure's production stations go back between runs, and"
                    + " auto-push is paused.",
            "pinned", "Pinned: the stations switch to this deployment between runs.");

    private Pages() {
    }

    /** The message of a finished action, for {@code ?done=}; null for none or an unknown one. */
    static String done(String code) {
        return code == null ? null : DONE.get(code);
    }

    /** 303 to a path of the dashboard (relative, so it stays right behind the gateway). */
    static Response seeOther(String path) {
        return Response.status(Response.Status.SEE_OTHER).header(HttpHeaders.LOCATION, path).build();
    }

    /**
     * A page that shows a secret the API gives only once (a new API key, a rotated webhook secret): the POST's own
     * answer, never cached, never a redirect (so the secret is in no URL and no later page).
     */
    static Response shownOnce(String html) {
        return Response.ok(html, "text/html;charset=UTF-8").header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    /** The signed-in user of this request, as the page header and the action buttons need it. */
    static Views.User user(CurrentSession current) {
        return Views.User.of(current.require().role(), current.csrfToken());
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
