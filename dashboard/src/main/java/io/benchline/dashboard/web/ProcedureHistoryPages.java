package io.benchline.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.dashboard.DashboardConfig;
import io.benchline.dashboard.api.BenchlineApi;
import io.benchline.dashboard.session.CurrentSession;
import io.benchline.dashboard.session.Session;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.benchline.dashboard.api.BenchlineApi.param;
import static io.benchline.dashboard.api.BenchlineApi.segment;

/** A procedure's History tab: promotes, rollbacks, resumes, deletes and re-runs, newest first, one API page a view. */
@Path("/procedures/{id}/history")
@Produces(MediaType.TEXT_HTML)
public class ProcedureHistoryPages {
    private final BenchlineApi api;
    private final CurrentSession current;
    private final DashboardConfig config;

    public ProcedureHistoryPages(BenchlineApi api, CurrentSession current, DashboardConfig config) {
        this.api = api;
        this.current = current;
        this.config = config;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance history(Views.User user, Views.Procedure procedure,
                List<ManagementViews.HistoryEntry> entries, String nextPage, String firstPage);
    }

    /** The procedure and one page of its history, asked for at once. */
    @GET
    public TemplateInstance history(@PathParam("id") String id, @RestQuery String cursor) {
        Session session = current.require();
        String base = "/v2/procedures/" + segment(id);
        CompletableFuture<JsonNode> procedure = api.getAsync(session.apiKey(), base);
        CompletableFuture<JsonNode> page = api.getAsync(session.apiKey(), base + "/history?limit=" + config.pageSize()
                + param("cursor", cursor));
        Views.Procedure p = Views.Procedure.of(BenchlineApi.await(procedure));
        JsonNode history = BenchlineApi.await(page);
        List<ManagementViews.HistoryEntry> entries = new ArrayList<>();
        history.path("data").forEach(h -> entries.add(ManagementViews.HistoryEntry.of(h)));
        String next = Views.text(history, "next_cursor", null);
        String tab = "/procedures/" + segment(id) + "/history";
        return Templates.history(Pages.user(current), p, entries, next == null ? null : tab + "?cursor=" + segment(next),
                Pages.blankToNull(cursor) == null ? null : tab);
    }
}
