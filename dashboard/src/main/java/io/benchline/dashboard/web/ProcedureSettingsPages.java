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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import static io.benchline.dashboard.api.BenchlineApi.segment;

/**
 * A procedure's Settings tab: repository, auto-push, branches, webhook and the stations' switch settings; changes by
 * admins ({@code PATCH /v2/procedures/{id}}, {@code PUT .../station-settings}), Resume of a paused auto-push.
 */
@Path("/procedures/{id}/settings")
@Produces(MediaType.TEXT_HTML)
public class ProcedureSettingsPages {
    private static final List<String> PROVIDERS = List.of("github", "gitlab");

    private final BenchlineApi api;
    private final CurrentSession current;

    public ProcedureSettingsPages(BenchlineApi api, CurrentSession current) {
        this.api = api;
        this.current = current;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance settings(Views.User user, Views.Procedure procedure,
                ManagementViews.ProcedureSettings settings, List<Views.Option> providers,
                ManagementViews.StationSettings stationSettings, String stationSettingsProblem, String notice);

        static native TemplateInstance secret(Views.User user, Views.Procedure procedure,
                ManagementViews.ProcedureSettings settings, String secret);
    }

    /** The procedure and its station settings, asked for at once; the station settings may fail on their own. */
    @GET
    public TemplateInstance settings(@PathParam("id") String id, @RestQuery String done) {
        Session session = current.require();
        CompletableFuture<JsonNode> procedure = api.getAsync(session.apiKey(), "/v2/procedures/" + segment(id));
        CompletableFuture<JsonNode> stations = api.getAsync(session.apiKey(),
                "/v2/procedures/" + segment(id) + "/station-settings");
        JsonNode p = BenchlineApi.await(procedure);
        ManagementViews.StationSettings stationSettings = null;
        String stationProblem = null;
        try {
            stationSettings = ManagementViews.StationSettings.of(BenchlineApi.await(stations));
        } catch (ApiProblem problem) {
            stationProblem = problem.title() + (problem.detail().isEmpty() ? "" : ": " + problem.detail());
        }
        ManagementViews.ProcedureSettings settings = ManagementViews.ProcedureSettings.of(p);
        List<Views.Option> providers = new ArrayList<>();
        providers.add(new Views.Option("", "none", settings.provider() == null));
        PROVIDERS.forEach(v -> providers.add(new Views.Option(v, v, v.equals(settings.provider()))));
        return Templates.settings(Pages.user(current), Views.Procedure.of(p), settings, providers, stationSettings,
                stationProblem, ManagementViews.done(done));
    }

    /**
     * Save: only what differs from the procedure as the API has it now goes into the PATCH (absent fields stay), so a
     * form opened before someone else's change does not undo it. A blank text field means "leave as it is"; the
     * excluded branches are one pattern a line, none clears them.
     */
    @POST
    public Response save(@PathParam("id") String id, @RestForm String csrf, @RestForm("auto_push") String autoPush,
            @RestForm("production_branch") String productionBranch,
            @RestForm("excluded_branches") String excludedBranches, @RestForm String provider,
            @RestForm("clone_url") String cloneUrl, @RestForm("full_name") String fullName) {
        Session session = current.requirePost(csrf);
        String path = "/v2/procedures/" + segment(id);
        ManagementViews.ProcedureSettings now = ManagementViews.ProcedureSettings.of(api.get(session.apiKey(), path));
        Map<String, Object> change = new LinkedHashMap<>();
        boolean push = autoPush != null && !autoPush.isBlank();
        if (push != now.autoPush()) {
            change.put("auto_push", push);
        }
        String branch = Pages.blankToNull(productionBranch);
        if (branch != null && !branch.equals(now.productionBranch())) {
            change.put("production_branch", branch);
        }
        List<String> excluded = excludedBranches == null ? List.of() : Arrays.stream(excludedBranches.split("\\R"))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (!excluded.equals(now.excludedBranches())) {
            change.put("excluded_branches", excluded);
        }
        Map<String, String> repository = new LinkedHashMap<>();
        changed(repository, "provider", provider, now.provider());
        changed(repository, "clone_url", cloneUrl, now.cloneUrl());
        changed(repository, "full_name", fullName, now.fullName());
        if (!repository.isEmpty()) {
            change.put("repository", repository);
        }
        if (change.isEmpty()) {
            return Pages.seeOther("/procedures/" + segment(id) + "/settings?done=unchanged");
        }
        api.patch(session.apiKey(), path, change);
        return Pages.seeOther("/procedures/" + segment(id) + "/settings?done=saved");
    }

    /** Resume auto-push after a rollback paused it. */
    @POST
    @Path("/resume")
    public Response resume(@PathParam("id") String id, @RestForm String csrf, @RestForm String note) {
        Session session = current.requirePost(csrf);
        Map<String, Object> body = new HashMap<>();
        if (Pages.blankToNull(note) != null) {
            body.put("note", note.strip());
        }
        api.post(session.apiKey(), "/v2/procedures/" + segment(id) + "/resume", body);
        return Pages.seeOther("/procedures/" + segment(id) + "/settings?done=resumed");
    }

    /**
     * Rotate the webhook secret: the answer page shows the new one, once, and is not cached (never in a URL or a
     * redirect). The hook's URLs stay; the provider needs the new secret before its next delivery.
     */
    @POST
    @Path("/webhook-secret")
    public Response rotateSecret(@PathParam("id") String id, @RestForm String csrf) {
        Session session = current.requirePost(csrf);
        JsonNode p = api.post(session.apiKey(), "/v2/procedures/" + segment(id) + "/webhook-secret", Map.of());
        String html = Templates.secret(Pages.user(current), Views.Procedure.of(p), ManagementViews.ProcedureSettings.of(p),
                p.path("webhook").path("secret").asText("")).render();
        return Pages.shownOnce(html);
    }

    /** How the procedure's stations switch to a staged deployment: both values in whole seconds. */
    @POST
    @Path("/stations")
    public Response saveStationSettings(@PathParam("id") String id, @RestForm String csrf,
            @RestForm("idle_window_seconds") String idleWindow,
            @RestForm("max_deferral_seconds") String maxDeferral) {
        Session session = current.requirePost(csrf);
        List<String> errors = new ArrayList<>();
        Long idle = seconds("idle_window_seconds", idleWindow, errors);
        Long deferral = seconds("max_deferral_seconds", maxDeferral, errors);
        if (!errors.isEmpty()) {
            throw new ApiProblem(400, "Invalid station settings", String.join("; ", errors), errors, List.of());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("idle_window_seconds", idle);
        body.put("max_deferral_seconds", deferral);
        api.put(session.apiKey(), "/v2/procedures/" + segment(id) + "/station-settings", body);
        return Pages.seeOther("/procedures/" + segment(id) + "/settings?done=station-settings-saved");
    }

    private static void changed(Map<String, String> into, String field, String value, String now) {
        String given = Pages.blankToNull(value);
        if (given != null && !Objects.equals(given, now)) {
            into.put(field, given);
        }
    }

    /** Whole seconds, 0 or more; the API checks the upper bound. */
    private static Long seconds(String field, String value, List<String> errors) {
        try {
            long n = Long.parseLong(value == null ? "" : value.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        errors.add(field + ": must be a whole number of seconds, 0 or more");
        return null;
    }
}
