package io.benchline.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.dashboard.DashboardConfig;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static io.benchline.dashboard.api.BenchlineApi.param;
import static io.benchline.dashboard.api.BenchlineApi.segment;

/** The stations list and a station's page (pointers, links, timeline, runs), Unpin and Request a run. */
@Path("/stations")
@Produces(MediaType.TEXT_HTML)
public class StationPages {
    private final BenchlineApi api;
    private final CurrentSession current;
    private final DashboardConfig config;

    public StationPages(BenchlineApi api, CurrentSession current, DashboardConfig config) {
        this.api = api;
        this.current = current;
        this.config = config;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance stations(Views.User user, List<ManagementViews.StationRow> stations,
                String nextPage, String firstPage);

        static native TemplateInstance station(Views.User user, ManagementViews.Station station,
                List<ManagementViews.TimelineEntry> timeline, String timelineProblem, String nextPage,
                String firstPage, List<ManagementViews.StationRun> runs, String runsProblem, String notice);
    }

    /** One API page of the organization's stations, in creation order, paged by {@code next_cursor}. */
    @GET
    public TemplateInstance stations(@RestQuery String cursor) {
        Session session = current.require();
        JsonNode page = api.get(session.apiKey(), "/v2/stations?limit=" + config.pageSize() + param("cursor", cursor));
        List<ManagementViews.StationRow> rows = new ArrayList<>();
        page.path("data").forEach(s -> rows.add(ManagementViews.StationRow.of(s)));
        String next = Views.text(page, "next_cursor", null);
        return Templates.stations(Pages.user(current), rows, next == null ? null : "/stations?cursor=" + segment(next),
                Pages.blankToNull(cursor) == null ? null : "/stations");
    }

    /**
     * A station: the station itself, one page of its timeline ({@code ?cursor=} pages it), its newest runs and the
     * procedures' names, asked for at once. The timeline and runs may fail on their own; the rest of the page stays.
     */
    @GET
    @Path("/{id}")
    public TemplateInstance station(@PathParam("id") String id, @RestQuery String cursor, @RestQuery String done) {
        Session session = current.require();
        String base = "/v2/stations/" + segment(id);
        CompletableFuture<JsonNode> station = api.getAsync(session.apiKey(), base);
        CompletableFuture<JsonNode> timeline = api.getAsync(session.apiKey(), base + "/timeline?limit="
                + config.pageSize() + param("cursor", cursor));
        CompletableFuture<JsonNode> runs = api.getAsync(session.apiKey(), base + "/runs");
        CompletableFuture<JsonNode> procedures = api.getAsync(session.apiKey(), "/v2/procedures");
        JsonNode s = BenchlineApi.await(station);

        Map<String, String> names = namesOf(session, s, procedures);
        List<ManagementViews.TimelineEntry> entries = new ArrayList<>();
        String timelineProblem = null;
        String next = null;
        try {
            JsonNode page = BenchlineApi.await(timeline);
            page.path("data").forEach(e -> entries.add(ManagementViews.TimelineEntry.of(e)));
            next = Views.text(page, "next_cursor", null);
        } catch (ApiProblem problem) {
            timelineProblem = message(problem);
        }
        List<ManagementViews.StationRun> runRows = new ArrayList<>();
        String runsProblem = null;
        try {
            BenchlineApi.await(runs).path("data").forEach(r -> runRows.add(ManagementViews.StationRun.of(r)));
        } catch (ApiProblem problem) {
            runsProblem = message(problem);
        }
        String page = "/stations/" + segment(id);
        return Templates.station(Pages.user(current), ManagementViews.Station.of(s, names, session.role().member()),
                entries, timelineProblem, next == null ? null : page + "?cursor=" + segment(next),
                Pages.blankToNull(cursor) == null ? null : page, runRows, runsProblem, ManagementViews.done(done));
    }

    /** Most procedures asked for one by one when the list's first page does not name them all. */
    private static final int MAX_NAME_LOOKUPS = 20;

    /**
     * The names of the station's procedures: from the first page of {@code /v2/procedures}, asked for beside the
     * station; the ones that page does not hold (an organization with more procedures) one by one, at once. Names are
     * a nicety: a procedure whose name cannot be read shows its id.
     */
    private Map<String, String> namesOf(Session session, JsonNode station, CompletableFuture<JsonNode> firstPage) {
        Map<String, String> names = new HashMap<>();
        try {
            BenchlineApi.await(firstPage).path("data").forEach(p -> names.put(p.path("id").asText(),
                    p.path("name").asText()));
        } catch (ApiProblem ignored) {
            // ids then, or the lookups below
        }
        Set<String> missing = new LinkedHashSet<>();
        for (String part : List.of("links", "pointers")) {
            station.path(part).forEach(n -> {
                String id = n.path("procedure_id").asText("");
                if (!id.isEmpty() && !names.containsKey(id) && missing.size() < MAX_NAME_LOOKUPS) {
                    missing.add(id);
                }
            });
        }
        Map<String, CompletableFuture<JsonNode>> lookups = new HashMap<>();
        missing.forEach(id -> lookups.put(id, api.getAsync(session.apiKey(), "/v2/procedures/" + segment(id))));
        lookups.forEach((id, answer) -> {
            try {
                String name = BenchlineApi.await(answer).path("name").asText("");
                if (!name.isEmpty()) {
                    names.put(id, name);
                }
            } catch (ApiProblem ignored) {
                // the id, then
            }
        });
        return names;
    }

    /** Unpin: the pointer follows its procedure again (the API's route names the pinned deployment). */
    @POST
    @Path("/{id}/unpin")
    public Response unpin(@PathParam("id") String id, @RestForm String csrf,
            @RestForm("deployment_id") String deploymentId) {
        Session session = current.requirePost(csrf);
        if (Pages.blankToNull(deploymentId) == null) {
            throw new ApiProblem(400, "Invalid request", "deployment_id: is required",
                    List.of("deployment_id: is required"), List.of());
        }
        api.delete(session.apiKey(), "/v2/stations/" + segment(id) + "/deployments/" + segment(deploymentId.strip()));
        return Pages.seeOther("/stations/" + segment(id) + "?done=unpinned");
    }

    /** Request a run of a linked procedure, for a named unit when given; the station starts it between runs. */
    @POST
    @Path("/{id}/run-requests")
    public Response requestRun(@PathParam("id") String id, @RestForm String csrf,
            @RestForm("procedure_id") String procedureId, @RestForm("serial_number") String serialNumber) {
        Session session = current.requirePost(csrf);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("procedure_id", Pages.blankToNull(procedureId));
        if (Pages.blankToNull(serialNumber) != null) {
            body.put("serial_number", serialNumber.strip());
        }
        api.post(session.apiKey(), "/v2/stations/" + segment(id) + "/run-requests", body);
        return Pages.seeOther("/stations/" + segment(id) + "?done=run-requested");
    }

    private static String message(ApiProblem problem) {
        return problem.title() + (problem.detail().isEmpty() ? "" : ": " + problem.detail());
    }
}
