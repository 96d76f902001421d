package io.benchline.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.dashboard.api.ApiProblem;
import io.benchline.dashboard.api.BenchlineApi;
import io.benchline.dashboard.session.CurrentSession;
import io.benchline.dashboard.session.Session;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.benchline.dashboard.api.BenchlineApi.segment;

/**
 * The organization's API keys (the API lists them to admins only; anyone else sees its refusal), Create (the secret
 * shown once, on the answer page itself: never in a URL or a redirect) and Revoke.
 */
@Path("/api-keys")
@Produces(MediaType.TEXT_HTML)
public class ApiKeyPages {
    private static final List<String> ROLES = List.of("viewer", "member", "admin");

    private final BenchlineApi api;
    private final CurrentSession current;

    public ApiKeyPages(BenchlineApi api, CurrentSession current) {
        this.api = api;
        this.current = current;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance keys(Views.User user, List<ManagementViews.ApiKey> keys,
                List<Views.Option> roles, String name, Views.Problem problem, String notice);

        static native TemplateInstance created(Views.User user, ManagementViews.CreatedKey key);
    }

    @GET
    public TemplateInstance keys(@RestQuery String done) {
        return page(current.require(), null, "viewer", null, ManagementViews.done(done));
    }

    /**
     * Create: the answer page shows the secret, once; it is not cached. A refused name or role is shown on the list
     * with the form filled in again.
     */
    @POST
    public Response create(@RestForm String csrf, @RestForm String name, @RestForm String role) {
        Session session = current.requirePost(csrf);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("name", name == null ? "" : name.strip());
        body.put("role", role == null ? "" : role.strip());
        JsonNode created;
        try {
            created = api.post(session.apiKey(), "/v2/api-keys", body);
        } catch (ApiProblem problem) {
            if (problem.status() != 400 && problem.status() != 409) {
                throw problem;
            }
            String html = page(session, name, role, new Views.Problem(problem.status(), problem.title(),
                    problem.detail(), problem.errors(), List.of(), "/api-keys"), null).render();
            return Response.status(problem.status()).type(MediaType.TEXT_HTML_TYPE).entity(html).build();
        }
        String html = Templates.created(Pages.user(current), ManagementViews.CreatedKey.of(created)).render();
        return Pages.shownOnce(html);
    }

    /** Revoke: the API refuses the key from now on (also the key of this very sign-in, which then ends). */
    @POST
    @Path("/{id}/revoke")
    public Response revoke(@PathParam("id") String id, @RestForm String csrf) {
        Session session = current.requirePost(csrf);
        api.delete(session.apiKey(), "/v2/api-keys/" + segment(id));
        return Pages.seeOther("/api-keys?done=revoked");
    }

    private TemplateInstance page(Session session, String name, String role, Views.Problem problem, String notice) {
        List<ManagementViews.ApiKey> keys = new ArrayList<>();
        api.get(session.apiKey(), "/v2/api-keys").path("data").forEach(k -> keys.add(ManagementViews.ApiKey.of(k)));
        List<Views.Option> roles = ROLES.stream().map(r -> new Views.Option(r, r, r.equals(role))).toList();
        return Templates.keys(Pages.user(current), keys, roles, name, problem, notice);
    }
}
