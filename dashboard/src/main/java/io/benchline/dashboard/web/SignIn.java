package io.benchline.dashboard.web;

import io.benchline.dashboard.DashboardConfig;
import io.benchline.dashboard.api.ApiProblem;
import io.benchline.dashboard.api.BenchlineApi;
import io.benchline.dashboard.session.Cookies;
import io.benchline.dashboard.session.CsrfRefused;
import io.benchline.dashboard.session.CurrentSession;
import io.benchline.dashboard.session.Role;
import io.benchline.dashboard.session.Session;
import io.benchline.dashboard.session.SessionCodec;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestCookie;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import java.time.Instant;
import java.util.Map;

/**
 * Sign-in with an API key, and sign-out. The key is checked with a cheap read; its role is found by what the API
 * lets it do, since no endpoint tells a caller its own role (see README, "Roles").
 */
@Path("/")
public class SignIn {
    private static final String FORM_PURPOSE = "sign-in";
    private static final Map<String, String> NOTICES = Map.of(
            "signed-out", "You are signed out.",
            "expired", "Your sign-in ended or the API no longer accepts its key; sign in again.");

    private final BenchlineApi api;
    private final SessionCodec codec;
    private final Cookies cookies;
    private final CurrentSession current;
    private final DashboardConfig config;

    public SignIn(BenchlineApi api, SessionCodec codec, Cookies cookies, CurrentSession current,
            DashboardConfig config) {
        this.api = api;
        this.codec = codec;
        this.cookies = cookies;
        this.current = current;
        this.config = config;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance signIn(String csrf, String message, String notice);
    }

    @GET
    public Response root() {
        return Pages.seeOther(current.get().isPresent() ? "/procedures" : "/sign-in");
    }

    @GET
    @Path("sign-in")
    @Produces(MediaType.TEXT_HTML)
    public Response form(@RestQuery String notice) {
        if (current.get().isPresent()) {
            return Pages.seeOther("/procedures");
        }
        return form(Response.Status.OK, null, notice == null ? null : NOTICES.get(notice));
    }

    @POST
    @Path("sign-in")
    @Produces(MediaType.TEXT_HTML)
    public Response signIn(@RestForm("api_key") String apiKey, @RestForm String csrf,
            @RestCookie(Cookies.SIGN_IN) String nonce) {
        if (!codec.csrfMatches(FORM_PURPOSE, nonce, csrf)) {
            throw new CsrfRefused();
        }
        String key = apiKey == null ? "" : apiKey.strip();
        if (key.isEmpty() || key.length() > 200 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return form(Response.Status.BAD_REQUEST, "Enter an API key (as benchline api-keys create printed it).",
                    null);
        }
        Role role;
        try {
            role = roleOf(key);
        } catch (ApiProblem problem) {
            String message = problem.status() == 401
                    ? "The API did not accept this key: " + problem.detail()
                    : problem.title() + (problem.detail().isEmpty() ? "" : ": " + problem.detail());
            return form(Response.Status.fromStatusCode(problem.status() == 401 ? 401 : 502), message, null);
        }
        Session session = new Session(SessionCodec.newId(), key, role,
                Instant.now().plus(config.sessionLifetime()));
        return Response.status(Response.Status.SEE_OTHER).header(HttpHeaders.LOCATION, "/procedures")
                .header("Set-Cookie", cookies.session(session))
                .header("Set-Cookie", cookies.cleared(Cookies.SIGN_IN)).build();
    }

    /** Clears the session cookie. The CSRF token keeps another site from signing a user out. */
    @POST
    @Path("sign-out")
    public Response signOut(@RestForm String csrf) {
        current.requirePost(csrf);
        return Response.status(Response.Status.SEE_OTHER).header(HttpHeaders.LOCATION, "/sign-in?notice=signed-out")
                .header("Set-Cookie", cookies.cleared(Cookies.SESSION)).build();
    }

    /** The key's role as the API tells it ({@code GET /v2/api-keys/current}; a refused key is 401 there). */
    private Role roleOf(String key) {
        String role = api.get(key, "/v2/api-keys/current").path("role").asText("");
        return switch (role) {
            case "admin" -> Role.ADMIN;
            case "member" -> Role.MEMBER;
            default -> Role.VIEWER;
        };
    }

    private Response form(Response.Status status, String message, String notice) {
        String nonce = SessionCodec.newId();
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE)
                .entity(Templates.signIn(codec.csrfToken(FORM_PURPOSE, nonce), message, notice))
                .header("Set-Cookie", cookies.signInNonce(nonce)).build();
    }
}
