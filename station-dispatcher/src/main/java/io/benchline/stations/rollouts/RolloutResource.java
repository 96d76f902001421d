package io.benchline.stations.rollouts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.Caller;
import io.benchline.common.auth.CurrentCaller;
import io.benchline.common.auth.Role;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /v2/rollouts}: start (member), read (viewer), list the stations of (viewer), advance, pause, resume, abort and
 * complete (member) a rolling rollout; {@code /v2/rollouts/plans/{procedure_id}}: a procedure's default plan (admin to
 * change).
 */
@Path("/v2/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RolloutResource {
    private static final Pattern WAIT = Pattern.compile("^(\\d{1,7})(s|m|h|d)$");
    private static final int HISTORY = 50;
    private static final int STATIONS_PAGE = 100;
    private static final int STATIONS_MAX_PAGE = 1000;
    private static final Pattern STATION_CURSOR = Pattern.compile("^rnk_([0-9]{1,9})$");
    private final Rollouts rollouts;
    private final CurrentCaller caller;

    public RolloutResource(Rollouts rollouts, CurrentCaller caller) {
        this.rollouts = rollouts;
        this.caller = caller;
    }

    /** @param wait {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d} or ISO-8601; absent: stages advance by hand */
    public record CreateRequest(String deploymentId, List<StagePlan.Stage> stages,
            @JsonProperty("wait") String stageWait, List<String> canaryStationIds, String note, GateRequest gate) {
    }

    /**
     * The health gate of every stage but the last: {@code min_runs} (default 20) on canary and base each, {@code
     * min_wait} (default 5m), {@code timeout} (default 1h: too few runs by then needs attention), {@code confidence}
     * (default 0.95, from 0.5 to 0.9999), {@code duration_tolerance} (default 0.5: the canary's mean run duration may
     * be up to 50 % above the base's; above 0, at most 10).
     */
    public record GateRequest(Integer minRuns, String minWait, String timeout, Double confidence,
            Double durationTolerance) {
    }

    public record GateView(int minRuns, String minWait, String timeout, double confidence,
            double durationTolerance) {
    }

    public record NoteRequest(String note) {
    }

    public record PlanRequest(List<StagePlan.Stage> stages, @JsonProperty("wait") String stageWait,
            List<String> canaryStationIds) {
    }

    public record ActorView(String keyId, String name) {
    }

    /**
     * A stage: {@code moved} and {@code active} count the stations up to it (pointers on the deployment, agents
     * running it), {@code in_stage} only its own.
     */
    public record StageView(int index, Integer stations, BigDecimal percent, int target, long moved, long active,
            String state, InStageView inStage) {
    }

    /**
     * The stage's own stations: how many, whose pointer names the deployment (desired), whose agent has it staged or
     * drains towards it, whose agent runs it (actual).
     */
    public record InStageView(long stations, long desired, long staged, long actual) {
    }

    /** One station of a rollout, its stage (from 0) and its pointer of the procedure now. */
    public record StationView(String stationId, String name, int rank, int stage, boolean canary,
            String fromDeploymentId, String desiredDeploymentId, String stagedDeploymentId, String actualDeploymentId,
            String agentState, Instant stagedSince) {
    }

    public record StationPageView(List<StationView> data, String nextCursor) {
    }

    public record HistoryView(Instant at, String action, Integer stage, ActorView by, String note,
            @JsonInclude(JsonInclude.Include.NON_NULL) com.fasterxml.jackson.databind.JsonNode figures) {
    }

    public record RolloutView(String id, String procedureId, String deploymentId, String previousDeploymentId,
            String state, int stage, int stationCount, @JsonProperty("wait") String stageWait, Instant advanceAt,
            boolean fromPlan,
            List<StageView> stages, Instant createdAt, ActorView createdBy, Instant updatedAt, Instant finishedAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String rollbackTarget,
            @JsonInclude(JsonInclude.Include.NON_NULL) GateView gate,
            @JsonInclude(JsonInclude.Include.NON_NULL) HealthGate.Verdict verdict,
            @JsonInclude(JsonInclude.Include.NON_NULL) String attentionReason, List<HistoryView> history) {
    }

    public record ListView(List<RolloutView> data) {
    }

    public record PlanView(String procedureId, List<StagePlan.Stage> stages, @JsonProperty("wait") String stageWait,
            List<String> canaryStationIds, Instant updatedAt) {
    }

    @POST
    public Uni<Response> create(CreateRequest body) {
        Caller c = caller.require(Role.MEMBER, "starting a rollout");
        if (body == null) {
            throw ProblemException.invalid("body", "a JSON object is required");
        }
        return rollouts.create(c.orgId(), c.actor(), new Rollouts.Request(body.deploymentId(), body.stages(),
                        wait(body.stageWait()), body.canaryStationIds(), body.note(), gate(body.gate())))
                .chain(this::view)
                .map(v -> Response.created(URI.create("/v2/rollouts/" + v.id())).entity(v).build());
    }

    @GET
    public Uni<ListView> list(@QueryParam("procedure_id") String procedureId, @QueryParam("limit") String limit) {
        return list(rollouts, caller, procedureId, limit);
    }

    /**
     * The organization's rollouts newest first, of one procedure when {@code procedureId} is given: the list of
     * {@code GET /v2/rollouts} and {@code GET /v2/procedures/{procedure_id}/rollouts}.
     */
    static Uni<ListView> list(Rollouts rollouts, CurrentCaller caller, String procedureId, String limit) {
        String org = caller.require(Role.VIEWER, "reading rollouts").orgId();
        int n = limit == null || limit.isBlank() ? 20 : number("limit", limit, 1, 100);
        return rollouts.list(org, procedureId, n)
                .chain(rows -> io.smallrye.mutiny.Multi.createFrom().iterable(rows)
                        .onItem().transformToUniAndConcatenate(r -> view(rollouts, r)).collect().asList())
                .map(ListView::new);
    }

    @GET
    @Path("/{id}")
    public Uni<RolloutView> get(@PathParam("id") String id) {
        String org = caller.require(Role.VIEWER, "reading a rollout").orgId();
        return rollouts.get(org, id).chain(this::view);
    }

    /**
     * The rollout's stations in rank order (canaries first), of one stage with {@code ?stage=} (from 0), paged by
     * {@code ?limit=} (default 100, at most 1,000) and {@code ?cursor=}.
     */
    @GET
    @Path("/{id}/stations")
    public Uni<StationPageView> stations(@PathParam("id") String id, @QueryParam("stage") String stage,
            @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        String org = caller.require(Role.VIEWER, "reading a rollout's stations").orgId();
        int pageSize = limit == null || limit.isBlank() ? STATIONS_PAGE
                : number("limit", limit, 1, STATIONS_MAX_PAGE);
        Integer stageIndex = stage == null || stage.isBlank() ? null : number("stage", stage, 0, 10_000);
        int afterRank = -1;
        if (cursor != null) {
            Matcher m = STATION_CURSOR.matcher(cursor);
            if (!m.matches()) {
                throw ProblemException.invalid("cursor", "must be a next_cursor value from a previous page");
            }
            afterRank = Integer.parseInt(m.group(1));
        }
        return rollouts.stations(org, id, stageIndex, afterRank, pageSize).map(page -> new StationPageView(
                page.stream().map(RolloutResource::stationView).toList(),
                page.size() == pageSize ? "rnk_" + page.get(page.size() - 1).station().rank() : null));
    }

    @POST
    @Path("/{id}/advance")
    public Uni<RolloutView> advance(@PathParam("id") String id, NoteRequest body) {
        Caller c = caller.require(Role.MEMBER, "advancing a rollout");
        return rollouts.advance(c.orgId(), id, c.actor(), note(body)).chain(this::view);
    }

    @POST
    @Path("/{id}/pause")
    public Uni<RolloutView> pause(@PathParam("id") String id, NoteRequest body) {
        Caller c = caller.require(Role.MEMBER, "pausing a rollout");
        return rollouts.pause(c.orgId(), id, c.actor(), note(body)).chain(this::view);
    }

    @POST
    @Path("/{id}/resume")
    public Uni<RolloutView> resume(@PathParam("id") String id, NoteRequest body) {
        Caller c = caller.require(Role.MEMBER, "resuming a rollout");
        return rollouts.resume(c.orgId(), id, c.actor(), note(body)).chain(this::view);
    }

    @POST
    @Path("/{id}/abort")
    public Uni<RolloutView> abort(@PathParam("id") String id, NoteRequest body) {
        Caller c = caller.require(Role.MEMBER, "aborting a rollout");
        return rollouts.abort(c.orgId(), id, c.actor(), note(body)).chain(this::view);
    }

    @POST
    @Path("/{id}/complete")
    public Uni<RolloutView> complete(@PathParam("id") String id, NoteRequest body) {
        Caller c = caller.require(Role.MEMBER, "completing a rollout");
        return rollouts.complete(c.orgId(), id, c.actor(), note(body)).chain(this::view);
    }

    @GET
    @Path("/plans/{procedure_id}")
    public Uni<PlanView> plan(@PathParam("procedure_id") String procedureId) {
        String org = caller.require(Role.VIEWER, "reading a rollout plan").orgId();
        return rollouts.plan(org, procedureId).map(RolloutResource::planView);
    }

    /** A ready production deployment of the procedure then starts this plan instead of fanning out at once. */
    @PUT
    @Path("/plans/{procedure_id}")
    public Uni<PlanView> savePlan(@PathParam("procedure_id") String procedureId, PlanRequest body) {
        String org = caller.require(Role.ADMIN, "setting a rollout plan").orgId();
        if (body == null) {
            throw ProblemException.invalid("body", "a JSON object is required");
        }
        return rollouts.savePlan(org, procedureId, body.stages(), wait(body.stageWait()), body.canaryStationIds())
                .map(RolloutResource::planView);
    }

    @DELETE
    @Path("/plans/{procedure_id}")
    public Uni<Response> deletePlan(@PathParam("procedure_id") String procedureId) {
        String org = caller.require(Role.ADMIN, "removing a rollout plan").orgId();
        return rollouts.deletePlan(org, procedureId).map(v -> Response.noContent().build());
    }

    private Uni<RolloutView> view(RolloutStore.Row r) {
        return view(rollouts, r);
    }

    private static Uni<RolloutView> view(Rollouts rollouts, RolloutStore.Row r) {
        return rollouts.detail(r, HISTORY).map(RolloutResource::view);
    }

    private static StationView stationView(Rollouts.StageStation s) {
        RolloutStore.StationRow r = s.station();
        return new StationView(r.stationId(), r.name(), r.rank(), s.stage(), r.canary(), r.fromDeploymentId(),
                r.desiredDeploymentId(), r.stagedDeploymentId(), r.actualDeploymentId(), r.agentState(),
                r.stagedSince());
    }

    static RolloutView view(Rollouts.Detail d) {
        RolloutStore.Row r = d.rollout();
        List<StageView> stages = new ArrayList<>();
        for (int i = 0; i < d.stages().size(); i++) {
            StagePlan.Resolved s = d.stages().get(i);
            long moved = 0;
            long active = 0;
            InStageView own = new InStageView(0, 0, 0, 0);
            for (RolloutStore.StageCount c : d.counts()) {
                if (c.stage() <= i) {
                    moved += c.moved();
                    active += c.active();
                }
                if (c.stage() == i) {
                    own = new InStageView(c.stations(), c.moved(), c.staged(), c.active());
                }
            }
            String state = i < r.stage() || (i == r.stage() && Rollouts.COMPLETED.equals(r.state())) ? "done"
                    : i == r.stage() ? "current" : "pending";
            stages.add(new StageView(i, s.stations(), s.percent(), s.target(), moved, active, state, own));
        }
        List<HistoryView> history = d.history().stream().map(h -> new HistoryView(h.at(), h.action(), h.stage(),
                new ActorView(h.actorKeyId(), h.actorName()), h.note(), json(h.figuresJson()))).toList();
        HealthGate.Gate gate = Rollouts.gateOf(r);
        return new RolloutView(r.id(), r.procedureId(), r.deploymentId(), d.previousDeploymentId(), r.state(),
                r.stage(), r.stationCount(), r.waitSeconds() == null ? null : format(r.waitSeconds()), r.advanceAt(),
                r.fromPlan(), stages, r.createdAt(), new ActorView(r.createdByKeyId(), r.createdByName()),
                r.updatedAt(), r.finishedAt(),
                Rollouts.COMPLETED.equals(r.state()) ? d.previousDeploymentId() : null,
                gate == null ? null : new GateView(gate.minRuns(), format(gate.minWaitSeconds()),
                        format(gate.timeoutSeconds()), gate.confidence(), gate.durationTolerance()),
                d.verdict(), r.attentionReason(), history);
    }

    private static PlanView planView(RolloutStore.Plan p) {
        return new PlanView(p.procedureId(), Rollouts.planStages(p), p.waitSeconds() == null ? null
                : format(p.waitSeconds()), p.canaries().isBlank() ? List.of() : List.of(p.canaries().split(",")),
                p.updatedAt());
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return io.benchline.events.EventCodec.mapper().readTree(text);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    static HealthGate.Gate gate(GateRequest g) {
        if (g == null) {
            return null;
        }
        int minRuns = g.minRuns() == null ? 20 : g.minRuns();
        if (minRuns < 1 || minRuns > 100_000) {
            throw ProblemException.invalid("gate.min_runs", "must be from 1 to 100000");
        }
        Duration minWait = g.minWait() == null ? Duration.ofMinutes(5) : duration("gate.min_wait", g.minWait());
        Duration timeout = g.timeout() == null ? Duration.ofHours(1) : duration("gate.timeout", g.timeout());
        if (timeout.compareTo(minWait) < 0) {
            throw ProblemException.invalid("gate.timeout", "must not be shorter than gate.min_wait");
        }
        double confidence = g.confidence() == null ? 0.95 : g.confidence();
        if (!(confidence >= 0.5 && confidence <= 0.9999)) {
            throw ProblemException.invalid("gate.confidence", "must be from 0.5 to 0.9999");
        }
        double tolerance = g.durationTolerance() == null ? HealthGate.DEFAULT_DURATION_TOLERANCE
                : g.durationTolerance();
        if (!(tolerance > 0 && tolerance <= 10)) {
            throw ProblemException.invalid("gate.duration_tolerance", "must be above 0 and at most 10 (0.5: the"
                    + " canary may be up to 50% slower on average)");
        }
        return new HealthGate.Gate(minRuns, minWait.toSeconds(), timeout.toSeconds(), confidence, tolerance);
    }

    private static Duration duration(String field, String text) {
        try {
            return wait(text);
        } catch (ProblemException e) {
            throw ProblemException.invalid(field, "must be a duration such as 90s, 10m, 2h, 1d or PT10M, above 0"
                    + " and at most 30 days");
        }
    }

    static Duration wait(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = WAIT.matcher(t);
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(text.strip());
            } catch (java.time.format.DateTimeParseException e) {
                throw ProblemException.invalid("wait", "must be a duration such as 90s, 10m, 2h, 1d or PT10M");
            }
        }
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(30)) > 0) {
            throw ProblemException.invalid("wait", "must be above 0 and at most 30 days");
        }
        return d;
    }

    static String format(long seconds) {
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    private static String note(NoteRequest body) {
        return body == null ? null : body.note();
    }

    private static int number(String field, String text, int min, int max) {
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // the problem below
        }
        throw ProblemException.invalid(field, "must be a whole number from " + min + " to " + max);
    }
}
