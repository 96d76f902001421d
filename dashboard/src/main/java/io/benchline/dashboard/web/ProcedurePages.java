package io.benchline.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.dashboard.DashboardConfig;
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
import java.util.concurrent.CompletableFuture;

import static io.benchline.dashboard.api.BenchlineApi.param;
import static io.benchline.dashboard.api.BenchlineApi.segment;

/** The procedures list and a procedure's Deployments tab (one API page per view), and Create Deployment. */
@Path("/procedures")
@Produces(MediaType.TEXT_HTML)
public class ProcedurePages {
    private static final List<String> STATUSES = List.of("pending", "building", "ready", "failed");
    private static final List<String> ENVIRONMENTS = List.of("production", "preview", "development");

    private final BenchlineApi api;
    private final CurrentSession current;
    private final DashboardConfig config;

    public ProcedurePages(BenchlineApi api, CurrentSession current, DashboardConfig config) {
        this.api = api;
        this.current = current;
        this.config = config;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance procedures(Views.User user, List<Views.Procedure> procedures);

        static native TemplateInstance deployments(Views.User user, Views.Procedure procedure,
                List<Views.Deployment> deployments, List<Views.Option> statuses, List<Views.Option> environments,
                boolean filtered, String nextPage, String firstPage, String live, String notice);

        /** One row of the Deployments tab, as the live stream sends it. */
        static native TemplateInstance deployments$row(Views.Deployment d, Views.User user);
    }

    @GET
    public TemplateInstance procedures() {
        Session session = current.require();
        List<Views.Procedure> procedures = new ArrayList<>();
        api.get(session.apiKey(), "/v2/procedures").path("data").forEach(p -> procedures.add(Views.Procedure.of(p)));
        return Templates.procedures(Pages.user(current), procedures);
    }

    /** The Deployments tab: the procedure and one page of its deployments, both asked for at once. */
    @GET
    @Path("/{id}")
    public TemplateInstance deployments(@PathParam("id") String id, @RestQuery String status,
            @RestQuery String environment, @RestQuery String cursor, @RestQuery String done) {
        Session session = current.require();
        String state = status != null && STATUSES.contains(status) ? status : null;
        String env = environment != null && ENVIRONMENTS.contains(environment) ? environment : null;
        CompletableFuture<JsonNode> procedure = api.getAsync(session.apiKey(), "/v2/procedures/" + segment(id));
        CompletableFuture<JsonNode> page = api.getAsync(session.apiKey(), firstPage(id, state, env)
                + param("cursor", cursor));
        Views.Procedure p = Views.Procedure.of(BenchlineApi.await(procedure));
        JsonNode deployments = BenchlineApi.await(page);
        List<Views.Deployment> rows = new ArrayList<>();
        deployments.path("data").forEach(d -> rows.add(Views.Deployment.of(d, session.role())));
        String next = Views.text(deployments, "next_cursor", null);
        return Templates.deployments(Pages.user(current), p, rows, Views.Option.of(STATUSES, "All statuses", state),
                Views.Option.of(ENVIRONMENTS, "All environments", env), state != null || env != null,
                next == null ? null : link(id, state, env, next),
                cursor == null || cursor.isBlank() ? null : link(id, state, env, null),
                cursor == null || cursor.isBlank() ? live(id, state, env) : null, Pages.done(done));
    }

    /**
     * The rows of the first page now, for the live stream of {@code /procedures/{id}/live?status=&environment=} (the
     * page's filters): one API page, each row rendered with the page's own fragment.
     */
    CompletableFuture<LiveStreams.Read> liveRows(Session session, Views.User user,
            io.vertx.ext.web.RoutingContext rc) {
        String status = rc.request().getParam("status");
        String environment = rc.request().getParam("environment");
        String path = firstPage(rc.pathParam("id"), status != null && STATUSES.contains(status) ? status : null,
                environment != null && ENVIRONMENTS.contains(environment) ? environment : null);
        return api.getAsync(session.apiKey(), path).thenApply(page -> {
            LinkedHashMap<String, String> rows = new LinkedHashMap<>();
            page.path("data").forEach(d -> {
                Views.Deployment row = Views.Deployment.of(d, session.role());
                rows.put(row.id(), Templates.deployments$row(row, user).render());
            });
            return new LiveStreams.Read(rc.pathParam("id"), rows);
        });
    }

    private String firstPage(String id, String status, String environment) {
        return "/v2/deployments?procedure_id=" + segment(id) + param("status", status)
                + param("environment", environment) + "&limit=" + config.pageSize();
    }

    private static String live(String id, String status, String environment) {
        String query = param("status", status) + param("environment", environment);
        return "/procedures/" + segment(id) + "/live" + (query.isEmpty() ? "" : "?" + query.substring(1));
    }

    /** Create Deployment: the head of a branch, or a commit (with its branch, if given); then its Inspect page. */
    @POST
    @Path("/{id}/deployments")
    public Response create(@PathParam("id") String id, @RestForm String csrf, @RestForm("commit_sha") String sha,
            @RestForm String branch) {
        Session session = current.requirePost(csrf);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("procedure_id", id);
        if (Pages.blankToNull(sha) != null) {
            body.put("commit_sha", sha.strip());
        }
        if (Pages.blankToNull(branch) != null) {
            body.put("branch", branch.strip());
        }
        JsonNode created = api.post(session.apiKey(), "/v2/deployments", body);
        return Pages.seeOther("/deployments/" + segment(created.path("id").asText()));
    }

    private static String link(String id, String status, String environment, String cursor) {
        String query = param("status", status) + param("environment", environment) + param("cursor", cursor);
        return "/procedures/" + segment(id) + (query.isEmpty() ? "" : "?" + query.substring(1));
    }
}
