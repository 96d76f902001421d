package io.benchline.dashboard.web;

import io.benchline.dashboard.api.ApiProblem;
import io.benchline.dashboard.session.Cookies;
import io.benchline.dashboard.session.CsrfRefused;
import io.benchline.dashboard.session.CurrentSession;
import io.benchline.dashboard.session.NotSignedIn;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one place where failures become pages: a message with a way back, never a stack trace. */
public class ErrorPages {
    private static final Logger LOG = Logger.getLogger(ErrorPages.class);
    private static final Pattern PAGE = Pattern.compile("^/(deployments|procedures|stations)/([^/]+)");

    private final CurrentSession current;
    private final Cookies cookies;

    public ErrorPages(CurrentSession current, Cookies cookies) {
        this.current = current;
        this.cookies = cookies;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance problem(Views.User user, Views.Problem problem);
    }

    @ServerExceptionMapper
    public Response notSignedIn(NotSignedIn e) {
        return Pages.seeOther("/sign-in");
    }

    @ServerExceptionMapper
    public Response csrf(CsrfRefused e, UriInfo uri) {
        return page(new Views.Problem(403, "Form refused", e.getMessage(), List.of(), List.of(), back(uri)));
    }

    /** A key the API no longer accepts (revoked) ends the sign-in; any other refusal is shown with its detail. */
    @ServerExceptionMapper
    public Response api(ApiProblem e, UriInfo uri) {
        if (e.status() == 401) {
            return Response.status(Response.Status.SEE_OTHER).header(HttpHeaders.LOCATION, "/sign-in?notice=expired")
                    .header("Set-Cookie", cookies.cleared(Cookies.SESSION)).build();
        }
        return page(new Views.Problem(e.status() >= 500 ? 502 : e.status(), e.title(), e.detail(), e.errors(),
                e.stations(), back(uri)));
    }

    /** What the framework refused: an unknown page (404), a wrong method (405), a form too large … */
    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "HTTP " + status;
        String detail = status == 404 ? "There is no such page." : "The dashboard could not handle this request.";
        return page(new Views.Problem(status, title, detail, List.of(), List.of(), "/procedures"));
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        LOG.errorf(e, "unhandled error on %s", uri.getPath());
        return page(new Views.Problem(500, "Something went wrong",
                "The dashboard could not show this page; the error has been logged.", List.of(), List.of(),
                "/procedures"));
    }

    private Response page(Views.Problem problem) {
        Views.User user = current.get().isPresent() ? Pages.user(current) : null;
        return Response.status(problem.status()).type(MediaType.TEXT_HTML_TYPE)
                .entity(Templates.problem(user, problem).render()).build();
    }

    /** The page a failed action goes back to: the deployment's, procedure's or station's page it came from. */
    private static String back(UriInfo uri) {
        Matcher m = PAGE.matcher(uri.getPath());
        return m.find() ? "/" + m.group(1) + "/" + m.group(2) : "/procedures";
    }
}
