package io.benchline.stations.app;

import io.benchline.common.api.NotFound;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.IntrospectingApiKeyVerifier;
import io.benchline.events.EventIds;
import io.benchline.stations.model.Link;
import io.benchline.stations.model.Pointer;
import io.benchline.stations.model.ProjectedDeployment;
import io.benchline.stations.model.Run;
import io.benchline.stations.model.RunRequest;
import io.benchline.stations.model.Station;
import io.benchline.stations.store.DeploymentProjectionRepository;
import io.benchline.stations.store.LinkRepository;
import io.benchline.stations.store.PointerRepository;
import io.benchline.stations.store.ProcedureControlRepository;
import io.benchline.stations.store.ProcedureLocks;
import io.benchline.stations.store.RunRepository;
import io.benchline.stations.store.StationRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Use cases of /v2/stations: every one scoped to the caller's organization. */
@ApplicationScoped
public class StationService {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final StationRepository stations;
    private final LinkRepository links;
    private final PointerRepository pointers;
    private final DeploymentProjectionRepository deployments;
    private final RunRepository runs;
    private final ProcedureLocks locks;
    private final PointerMover mover;
    private final DispatcherConfig config;
    private final AgentWakeups wakeups;
    private final DeploymentServiceClient deploymentService;
    private final ProcedureControlRepository controls;

    private final io.benchline.stations.store.TimelineRepository timelines;

    public StationService(StationRepository stations, LinkRepository links, PointerRepository pointers,
            DeploymentProjectionRepository deployments, RunRepository runs, ProcedureLocks locks, PointerMover mover,
            DispatcherConfig config, AgentWakeups wakeups, DeploymentServiceClient deploymentService,
            ProcedureControlRepository controls, io.benchline.stations.store.TimelineRepository timelines) {
        this.timelines = timelines;
        this.controls = controls;
        this.wakeups = wakeups;
        this.deploymentService = deploymentService;
        this.stations = stations;
        this.links = links;
        this.pointers = pointers;
        this.deployments = deployments;
        this.runs = runs;
        this.locks = locks;
        this.mover = mover;
        this.config = config;
    }

    @WithTransaction
    public Uni<StationDetails> create(String orgId, String name, boolean development) {
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty()) {
            throw ProblemException.invalid("name", "is required");
        }
        if (trimmed.length() > config.maxNameLength()) {
            throw ProblemException.invalid("name", "must be at most " + config.maxNameLength() + " characters");
        }
        return stations.nameTaken(orgId, trimmed).chain(taken -> {
            if (taken) {
                throw new StationErrors.StationNameTaken(trimmed);
            }
            String token = newAgentToken();
            Station station = new Station();
            station.id = EventIds.withPrefix("stn");
            station.orgId = orgId;
            station.name = trimmed;
            station.agentTokenHash = IntrospectingApiKeyVerifier.sha256(token);
            station.createdAt = now();
            station.development = development;
            return stations.persistAndFlush(station)
                    .onFailure(Failures::isUniqueViolation).transform(f -> new StationErrors.StationNameTaken(trimmed))
                    .map(s -> new StationDetails(s, List.of(), List.of(), token));
        });
    }

    /** One page of stations (at most {@code limit}, after the cursor station id), with links and pointers. */
    @WithSession
    public Uni<List<StationDetails>> list(String orgId, String cursor, int limit) {
        return stations.pageInOrg(orgId, cursor, limit).chain(list -> {
            List<String> ids = list.stream().map(s -> s.id).toList();
            return links.ofStations(ids).chain(allLinks -> pointers.ofStations(ids).map(allPointers -> {
                // Grouped once: filtering per station was quadratic, and fleets have tens of thousands.
                Map<String, List<Link>> linksOf = allLinks.stream().collect(Collectors.groupingBy(l -> l.stationId));
                Map<String, List<Pointer>> pointersOf = allPointers.stream()
                        .collect(Collectors.groupingBy(p -> p.stationId));
                return list.stream().map(s -> new StationDetails(s, linksOf.getOrDefault(s.id, List.of()),
                        pointersOf.getOrDefault(s.id, List.of()), null)).toList();
            }));
        });
    }

    /**
     * Marks or unmarks a station for development. Unmarking does not move a development deployment it has pinned:
     * that stays until its session ends and the deployment is removed.
     */
    @WithTransaction
    public Uni<StationDetails> setDevelopment(String orgId, String stationId, boolean development) {
        return requireStation(orgId, stationId).invoke(s -> s.development = development).chain(this::details);
    }

    /** The station's timeline, newest first, before the cursor; another organization's station is 404. */
    @WithSession
    public Uni<List<io.benchline.stations.store.TimelineRepository.Entry>> timeline(String orgId, String stationId,
            Instant beforeAt, String beforeKey, int limit) {
        return requireStation(orgId, stationId).chain(s -> timelines.page(s.id, beforeAt, beforeKey, limit));
    }

    @WithSession
    public Uni<StationDetails> get(String orgId, String stationId) {
        return requireStation(orgId, stationId).chain(this::details);
    }

    /**
     * Links a procedure: the request is validated, the station must be the caller's (404 before anything is asked
     * of deployment-service), the procedure is checked with deployment-service using the caller's own key, and
     * then the link is made.
     */
    public Uni<StationDetails> link(String orgId, String stationId, String procedureId, String environment,
            String branch, String authorization) {
        String normalized = validateLink(procedureId, environment, branch);
        return requireStation(orgId, stationId)
                .call(() -> deploymentService.requireProcedure(procedureId, authorization))
                .chain(() -> link(orgId, stationId, procedureId, environment, normalized));
    }

    /**
     * Links a procedure (checked with deployment-service beforehand) and, when a matching ready deployment is known
     * already, points the new link at the newest one (the rollback target while the procedure is paused). A station
     * linked before keeps its pointer row, so the pointer's version goes on counting.
     */
    @WithTransaction
    public Uni<StationDetails> link(String orgId, String stationId, String procedureId, String environment,
            String branch) {
        return requireStation(orgId, stationId)
                .call(() -> locks.lock(procedureId))
                .call(() -> links.find(stationId, procedureId).invoke(existing -> {
                    if (existing != null) {
                        throw new StationErrors.AlreadyLinked(stationId, procedureId);
                    }
                }))
                .chain(station -> {
                    Link link = new Link();
                    link.stationId = stationId;
                    link.procedureId = procedureId;
                    link.environment = environment;
                    link.branch = branch;
                    link.createdAt = now();
                    return links.persist(link)
                            .chain(() -> pointers.lock(stationId, procedureId))
                            .chain(old -> {
                                if (old != null) {
                                    return Uni.createFrom().item(old);
                                }
                                Pointer pointer = new Pointer();
                                pointer.stationId = stationId;
                                pointer.procedureId = procedureId;
                                return pointers.persist(pointer);
                            })
                            .chain(pointer -> initialTarget(orgId, link)
                                    .chain(target -> mover.moveNew(link, pointer, orgId, target,
                                            PointerMover.REASON_AUTO)))
                            .chain(() -> details(station));
                });
    }

    /** A new link starts on the rollback target while its production procedure is paused, else on the newest. */
    private Uni<ProjectedDeployment> initialTarget(String orgId, Link link) {
        return controls.find(link.procedureId).chain(control -> {
            if (control != null && control.paused() && Link.PRODUCTION.equals(link.environment)
                    && control.rollbackDeploymentId() != null) {
                return deployments.findById(control.rollbackDeploymentId());
            }
            return deployments.newestDeployable(orgId, link.procedureId, link.environment, link.branch);
        });
    }

    /** One pointer of a station of the organization. */
    @WithSession
    public Uni<Pointer> pointer(String orgId, String stationId, String procedureId) {
        return requireStation(orgId, stationId).chain(s -> pointers.find(stationId, procedureId));
    }

    /** Validates a link request before any remote check; returns the normalized branch. */
    public String validateLink(String procedureId, String environment, String branch) {
        Ids.procedure("procedure_id", procedureId);
        if (!Link.PRODUCTION.equals(environment) && !Link.PREVIEW.equals(environment)) {
            throw ProblemException.invalid("environment", "must be production or preview");
        }
        if (Link.PRODUCTION.equals(environment)) {
            if (branch != null && !branch.isBlank()) {
                throw ProblemException.invalid("branch", "must be absent for a production link (it follows the"
                        + " procedure's production branch)");
            }
            return null;
        }
        if (branch == null || branch.isBlank()) {
            throw ProblemException.invalid("branch", "is required for a preview link");
        }
        if (branch.length() > config.maxBranchLength()) {
            throw ProblemException.invalid("branch", "must be at most " + config.maxBranchLength() + " characters");
        }
        return branch;
    }

    @WithTransaction
    public Uni<RunRequest> requestRun(String orgId, String stationId, String procedureId) {
        return requestRun(orgId, stationId, procedureId, null);
    }

    /** A run request for a named unit (null: the procedure's default serial number). */
    @WithTransaction
    public Uni<RunRequest> requestRun(String orgId, String stationId, String procedureId, String serialNumber) {
        Ids.procedure("procedure_id", procedureId);
        return requireStation(orgId, stationId)
                .call(() -> links.find(stationId, procedureId).invoke(link -> {
                    if (link == null) {
                        throw new StationErrors.NotLinked(procedureId, List.of(stationId));
                    }
                }))
                .call(() -> pointers.find(stationId, procedureId).invoke(pointer -> {
                    if (pointer == null || pointer.deploymentId == null) {
                        throw new StationErrors.NoDeploymentYet(stationId, procedureId);
                    }
                }))
                .chain(station -> {
                    RunRequest request = new RunRequest();
                    request.id = EventIds.withPrefix("rrq");
                    request.stationId = stationId;
                    request.procedureId = procedureId;
                    request.createdAt = now();
                    request.serialNumber = serialNumber;
                    return request.<RunRequest>persist()
                            .call(() -> wakeups.notifyStations(List.of(stationId)));
                });
    }

    @WithSession
    public Uni<List<Run>> runs(String orgId, String stationId) {
        return requireStation(orgId, stationId).chain(s -> runs.newestOfStation(s.id, config.runsPageSize()));
    }

    /** The station if it belongs to the organization; 404 otherwise, also for another organization's. */
    @WithSession
    public Uni<Station> requireStation(String orgId, String stationId) {
        return stations.findInOrg(orgId, stationId).map(s -> {
            if (s == null) {
                throw new NotFound("station", stationId);
            }
            return s;
        });
    }

    private Uni<StationDetails> details(Station station) {
        return links.ofStations(List.of(station.id)).chain(l -> pointers.ofStations(List.of(station.id))
                .map(p -> new StationDetails(station, l, p, null)));
    }

    private static String newAgentToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "bst_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
