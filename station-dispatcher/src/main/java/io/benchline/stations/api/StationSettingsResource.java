package io.benchline.stations.api;

import io.benchline.common.api.NotFound;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.CurrentCaller;
import io.benchline.common.auth.Role;
import io.benchline.stations.app.DispatcherConfig;
import io.benchline.stations.app.Ids;
import io.benchline.stations.store.StationSettingsRepository;
import io.benchline.stations.store.StationSettingsRepository.Settings;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /v2/procedures/{procedure_id}/station-settings}: how the procedure's stations switch to a staged deployment
 * (read: viewer; change: admin). The gateway routes this path of {@code /v2/procedures} here. Agents learn a change
 * with their next assignments answer (within the push channel's hold).
 */
@Path("/v2/procedures/{procedure_id}/station-settings")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class StationSettingsResource {
    private final StationSettingsRepository settings;
    private final CurrentCaller caller;
    private final DispatcherConfig config;

    public StationSettingsResource(StationSettingsRepository settings, CurrentCaller caller, DispatcherConfig config) {
        this.settings = settings;
        this.caller = caller;
        this.config = config;
    }

    /** Both fields are required: seconds, from 0 up to {@code benchline.dispatcher.max-station-setting}. */
    public record SettingsRequest(Long idleWindowSeconds, Long maxDeferralSeconds) {
    }

    /** {@code defaults}: true when the procedure has no settings of its own and the service's apply. */
    public record SettingsView(String procedureId, long idleWindowSeconds, long maxDeferralSeconds,
            boolean defaults) {
    }

    @GET
    @WithSession
    public Uni<SettingsView> get(@PathParam("procedure_id") String procedureId) {
        String org = caller.require(Role.VIEWER, "reading station settings").orgId();
        Ids.procedure("procedure_id", procedureId);
        return settings.find(procedureId).map(s -> view(procedureId, s, org));
    }

    @PUT
    @WithTransaction
    public Uni<SettingsView> put(@PathParam("procedure_id") String procedureId, SettingsRequest body) {
        String org = caller.require(Role.ADMIN, "changing station settings").orgId();
        Ids.procedure("procedure_id", procedureId);
        if (body == null) {
            throw ProblemException.invalid("body", "a JSON object is required");
        }
        long idle = seconds("idle_window_seconds", body.idleWindowSeconds());
        long deferral = seconds("max_deferral_seconds", body.maxDeferralSeconds());
        return settings.find(procedureId).invoke(existing -> view(procedureId, existing, org))
                .chain(() -> settings.save(new Settings(procedureId, org, idle, deferral)))
                .chain(() -> settings.find(procedureId))
                .map(s -> view(procedureId, s, org));
    }

    /** Back to the service's defaults. */
    @DELETE
    @WithTransaction
    public Uni<Response> delete(@PathParam("procedure_id") String procedureId) {
        String org = caller.require(Role.ADMIN, "changing station settings").orgId();
        Ids.procedure("procedure_id", procedureId);
        return settings.find(procedureId).invoke(existing -> view(procedureId, existing, org))
                .chain(() -> settings.delete(procedureId, org))
                .map(v -> Response.noContent().build());
    }

    private long seconds(String field, Long value) {
        long max = config.maxStationSetting().toSeconds();
        if (value == null || value < 0 || value > max) {
            throw ProblemException.invalid(field, "is required: seconds from 0 to " + max);
        }
        return value;
    }

    /** The view of what applies; settings of another organization are not found. */
    private SettingsView view(String procedureId, Settings s, String org) {
        if (s != null && !org.equals(s.orgId())) {
            throw new NotFound("station settings of procedure", procedureId);
        }
        return s == null
                ? new SettingsView(procedureId, config.idleWindow().toSeconds(), config.maxDeferral().toSeconds(), true)
                : new SettingsView(procedureId, s.idleWindowSeconds(), s.maxDeferralSeconds(), false);
    }
}
