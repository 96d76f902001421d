package io.benchline.dashboard.web;

import io.benchline.dashboard.api.ApiProblem;
import io.benchline.dashboard.api.BenchlineApi;
import io.benchline.dashboard.session.CurrentSession;
import io.benchline.dashboard.session.Session;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static io.benchline.dashboard.api.BenchlineApi.segment;

/**
 * A rollout's page (stages, the gate's verdict with canary-vs-base charts, history; advance, pause, resume, abort),
 * live through {@link LiveStreams}. A procedure's list of rollouts is {@link ProcedureRolloutPages}.
 */
@Path("/rollouts")
@Produces(MediaType.TEXT_HTML)
public class RolloutPages {
    private static final Set<String> ACTIONS = Set.of("advance", "pause", "resume", "abort");

    private final BenchlineApi api;
    private final CurrentSession current;

    public RolloutPages(BenchlineApi api, CurrentSession current) {
        this.api = api;
        this.current = current;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance rollout(Views.User user, Views.Procedure procedure,
                RolloutViews.Rollout rollout);

        /** The live part of a rollout's page: state, actions, stages, verdict and charts. */
        static native TemplateInstance rollout$live(Views.User user, RolloutViews.Rollout rollout);
    }

    @GET
    @Path("{id}")
    public TemplateInstance rollout(@PathParam("id") String id) {
        Session session = current.require();
        RolloutViews.Rollout r = RolloutViews.Rollout.of(api.get(session.apiKey(), "/v2/rollouts/" + segment(id)),
                session.role().member());
        Views.Procedure p = Views.Procedure.of(api.get(session.apiKey(), "/v2/procedures/"
                + segment(r.procedureId())));
        return Templates.rollout(Pages.user(current), p, r);
    }

    /** Advance, pause, resume or abort, with an optional note; back to the rollout's page. */
    @POST
    @Path("{id}/{action}")
    public Response act(@PathParam("id") String id, @PathParam("action") String action, @RestForm String csrf,
            @RestForm String note) {
        Session session = current.requirePost(csrf);
        if (!ACTIONS.contains(action)) {
            throw new ApiProblem(404, "No such action", "a rollout can be advanced, paused, resumed or aborted",
                    List.of(), List.of());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (Pages.blankToNull(note) != null) {
            body.put("note", note.strip());
        }
        api.post(session.apiKey(), "/v2/rollouts/" + segment(id) + "/" + action, body);
        return Pages.seeOther("/rollouts/" + segment(id));
    }

    /** The live part of {@code /rollouts/{id}} now, for {@code /rollouts/{id}/live}. */
    CompletableFuture<LiveStreams.Read> liveParts(Session session, Views.User user, RoutingContext rc) {
        return api.getAsync(session.apiKey(), "/v2/rollouts/" + segment(rc.pathParam("id"))).thenApply(r -> {
            RolloutViews.Rollout rollout = RolloutViews.Rollout.of(r, session.role().member());
            LinkedHashMap<String, String> parts = new LinkedHashMap<>();
            parts.put("rollout-live", Templates.rollout$live(user, rollout).render());
            return new LiveStreams.Read(rollout.procedureId(), parts);
        });
    }
}
