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

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.benchline.dashboard.api.BenchlineApi.segment;

/** A procedure's Rollouts tab: its rollouts, and Start a rollout of one of its ready production deployments. */
@Path("/procedures/{id}/rollouts")
@Produces(MediaType.TEXT_HTML)
public class ProcedureRolloutPages {
    private static final Pattern STAGE = Pattern.compile("^(\\d{1,3}(?:\\.\\d{1,2})?)\\s*%$|^(\\d{1,7})$");

    private final BenchlineApi api;
    private final CurrentSession current;

    public ProcedureRolloutPages(BenchlineApi api, CurrentSession current) {
        this.api = api;
        this.current = current;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance rollouts(Views.User user, Views.Procedure procedure,
                List<RolloutViews.Row> rollouts, List<Views.Deployment> deployable);
    }

    /** The Rollouts tab: the procedure, its rollouts and its ready production deployments, asked for at once. */
    @GET
    public TemplateInstance rollouts(@PathParam("id") String id) {
        Session session = current.require();
        CompletableFuture<JsonNode> procedure = api.getAsync(session.apiKey(), "/v2/procedures/" + segment(id));
        CompletableFuture<JsonNode> list = api.getAsync(session.apiKey(),
                "/v2/procedures/" + segment(id) + "/rollouts?limit=50");
        CompletableFuture<JsonNode> ready = api.getAsync(session.apiKey(), "/v2/deployments?procedure_id="
                + segment(id) + "&status=ready&environment=production&limit=20");
        Views.Procedure p = Views.Procedure.of(BenchlineApi.await(procedure));
        List<RolloutViews.Row> rows = new ArrayList<>();
        BenchlineApi.await(list).path("data").forEach(r -> rows.add(RolloutViews.Row.of(r)));
        List<Views.Deployment> deployable = new ArrayList<>();
        BenchlineApi.await(ready).path("data").forEach(d -> deployable.add(Views.Deployment.of(d, session.role())));
        return Templates.rollouts(Pages.user(current), p, rows, deployable);
    }

    /**
     * Start a rollout: stages as "10 %, 50 %, 100 %" (percent of the fleet or a number of stations, comma separated),
     * an optional automatic wait between stages, the health gate when asked for; then the rollout's page.
     */
    @POST
    public Response start(@PathParam("id") String id, @RestForm String csrf,
            @RestForm("deployment_id") String deploymentId, @RestForm String stages, @RestForm String wait,
            @RestForm String gate, @RestForm("min_runs") String minRuns, @RestForm("min_wait") String minWait,
            @RestForm String note) {
        Session session = current.requirePost(csrf);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deployment_id", Pages.blankToNull(deploymentId));
        body.put("stages", stages(stages));
        if (Pages.blankToNull(wait) != null) {
            body.put("wait", wait.strip());
        }
        if (gate != null) {
            Map<String, Object> g = new LinkedHashMap<>();
            if (Pages.blankToNull(minRuns) != null) {
                g.put("min_runs", number("min_runs", minRuns));
            }
            if (Pages.blankToNull(minWait) != null) {
                g.put("min_wait", minWait.strip());
            }
            body.put("gate", g);
        }
        if (Pages.blankToNull(note) != null) {
            body.put("note", note.strip());
        }
        JsonNode created = api.post(session.apiKey(), "/v2/rollouts", body);
        return Pages.seeOther("/rollouts/" + segment(created.path("id").asText()));
    }

    /** "10 %, 50 %, 100 %" or "5, 100%" as the API's stages; a refusal names the entry it could not read. */
    static List<Map<String, Object>> stages(String text) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String part : (text == null ? "" : text).split(",")) {
            String entry = part.strip();
            if (entry.isEmpty()) {
                continue;
            }
            Matcher m = STAGE.matcher(entry);
            if (!m.matches()) {
                errors.add("stages: \"" + entry + "\" is neither a percent (10 %) nor a number of stations (5)");
            } else if (m.group(1) != null) {
                out.add(Map.of("percent", new BigDecimal(m.group(1))));
            } else {
                out.add(Map.of("stations", Integer.parseInt(m.group(2))));
            }
        }
        if (out.isEmpty() && errors.isEmpty()) {
            errors.add("stages: name at least one stage, e.g. 10 %, 50 %, 100 %");
        }
        if (!errors.isEmpty()) {
            throw new ApiProblem(400, "The stages could not be read", "", errors, List.of());
        }
        return out;
    }

    private static int number(String field, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new ApiProblem(400, "Not a number", "", List.of(field + ": a whole number"), List.of());
        }
    }
}
