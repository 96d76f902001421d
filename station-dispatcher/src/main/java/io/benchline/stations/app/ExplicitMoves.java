package io.benchline.stations.app;

import io.benchline.common.api.NotFound;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.Actor;
import io.benchline.common.outbox.Outbox;
import io.benchline.events.ActorRef;
import io.benchline.events.EventCodec;
import io.benchline.events.EventTypes;
import io.benchline.events.PointerMoved;
import io.benchline.events.Topics;
import io.benchline.stations.app.StationErrors.DeploymentNotDeployable;
import io.benchline.stations.app.StationErrors.NotLinked;
import io.benchline.stations.app.StationErrors.NotPinned;
import io.benchline.stations.app.StationErrors.PromoteFirst;
import io.benchline.stations.app.StationErrors.TooManyStations;
import io.benchline.stations.app.StationErrors.WrongEnvironment;
import io.benchline.stations.model.Link;
import io.benchline.stations.model.Pointer;
import io.benchline.stations.model.ProjectedDeployment;
import io.benchline.stations.store.DeploymentProjectionRepository;
import io.benchline.stations.store.ExplicitMoveRepository;
import io.benchline.stations.store.ExplicitMoveRepository.Pinned;
import io.benchline.stations.store.ExplicitMoveRepository.StationLink;
import io.benchline.stations.store.HistoryRepository;
import io.benchline.stations.store.LinkRepository;
import io.benchline.stations.store.PointerRepository;
import io.benchline.stations.store.ProcedureControlRepository;
import io.benchline.stations.store.ProcedureLocks;
import io.benchline.stations.store.RunRequestRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Moves a caller asks for: pin (one station, or many in one statement), unpin, unlink, and the station history
 * they leave. Each takes the procedure's lock, as fan-out chunks do, and writes its events to the outbox and its
 * history line in the same transaction as the change (invariant 4: one event per move, version +1).
 */
@ApplicationScoped
public class ExplicitMoves {
    static final String DEVELOPMENT = "development";
    private final ExplicitMoveRepository moves;
    private final DeploymentProjectionRepository deployments;
    private final PointerRepository pointers;
    private final LinkRepository links;
    private final RunRequestRepository runRequests;
    private final ProcedureControlRepository controls;
    private final HistoryRepository history;
    private final ProcedureLocks locks;
    private final Outbox outbox;
    private final AgentWakeups wakeups;
    private final StationService stations;
    private final DispatcherConfig config;

    public ExplicitMoves(ExplicitMoveRepository moves, DeploymentProjectionRepository deployments,
            PointerRepository pointers, LinkRepository links, RunRequestRepository runRequests,
            ProcedureControlRepository controls, HistoryRepository history, ProcedureLocks locks, Outbox outbox,
            AgentWakeups wakeups, StationService stations, DispatcherConfig config) {
        this.moves = moves;
        this.deployments = deployments;
        this.pointers = pointers;
        this.links = links;
        this.runRequests = runRequests;
        this.controls = controls;
        this.history = history;
        this.locks = locks;
        this.outbox = outbox;
        this.wakeups = wakeups;
        this.stations = stations;
        this.config = config;
    }

    /** The outcome of a pin: the deployment and each pinned pointer. */
    public record PinResult(String deploymentId, String procedureId, List<Pinned> pinned) {
    }

    /**
     * Pins a deployment to stations: every named station must be the organization's and linked to the deployment's
     * procedure by a link that takes it (invariant 7: a preview never reaches a production link; promote it first).
     * All or nothing: one refused station refuses the call.
     */
    @WithTransaction
    public Uni<PinResult> pin(String orgId, String deploymentId, List<String> stationIds, Actor actor, String note) {
        Ids.deployment("deployment_id", deploymentId);
        List<String> ids = distinctStations(stationIds);
        String checkedNote = Notes.check(note);
        return deployments.findById(deploymentId).chain(d -> {
            if (d == null || !orgId.equals(d.orgId) || d.deleted) {
                throw new NotFound("deployment", deploymentId);
            }
            if (!d.isDeployable()) {
                throw new DeploymentNotDeployable(deploymentId, "it is " + d.status
                        + (d.artifactDigest == null ? " and has no artifact" : ""));
            }
            return locks.lock(d.procedureId)
                    .chain(() -> moves.links(orgId, d.procedureId, ids))
                    .invoke(found -> checkLinks(d, found))
                    .chain(() -> moves.pin(d.id, orgId, d.procedureId, ids, actor.keyId(), actor.name(), checkedNote))
                    .chain(pinned -> {
                        if (pinned.size() != ids.size()) {
                            // The share lock waited for a delete (or a change of status) that committed meanwhile.
                            throw new DeploymentNotDeployable(deploymentId, "it was deleted or changed meanwhile");
                        }
                        return publishPins(d, pinned, actor, checkedNote).replaceWith(
                                new PinResult(d.id, d.procedureId, pinned));
                    });
        });
    }

    /**
     * Releases a station's pin of a deployment. The pointer then follows its procedure again: it moves (reason
     * unpin) to the deployment it would have now, the rollback target while the procedure is paused, otherwise the
     * newest deployable one of its link, or stays where it is when that is the same or there is none.
     */
    @WithTransaction
    public Uni<Pointer> unpin(String orgId, String stationId, String deploymentId, Actor actor) {
        Ids.deployment("deployment_id", deploymentId);
        return stations.requireStation(orgId, stationId)
                .chain(station -> deployments.findById(deploymentId).chain(d -> {
                    if (d == null || !orgId.equals(d.orgId)) {
                        throw new NotFound("deployment", deploymentId);
                    }
                    return locks.lock(d.procedureId)
                            .chain(() -> links.find(stationId, d.procedureId))
                            .chain(link -> pointers.lock(stationId, d.procedureId).chain(pointer -> {
                                if (link == null || pointer == null || !pointer.isPinned()
                                        || !deploymentId.equals(pointer.deploymentId)) {
                                    throw new NotPinned(stationId, deploymentId);
                                }
                                return follow(orgId, link, pointer, actor, null, false).replaceWith(pointer);
                            }));
                }));
    }

    /**
     * Moves every pointer that names a development deployment off it, because its session ended: each pointer is
     * unpinned and follows its link again as after an unpin, or is cleared (the agent drops the procedure after a run
     * in flight) when nothing else fits its link. Then the deployment can be removed. A development deployment is
     * pinned to a few development stations, at most {@code benchline.dispatcher.max-pin-stations}.
     *
     * @return how many pointers moved
     */
    @WithTransaction
    public Uni<Integer> release(String deploymentId, String note) {
        Ids.deployment("id", deploymentId);
        String checkedNote = Notes.check(note);
        return deployments.findById(deploymentId).chain(d -> {
            if (d == null) {
                return Uni.createFrom().item(0);
            }
            if (!DEVELOPMENT.equals(d.environment)) {
                throw new DeploymentNotDeployable(deploymentId, "only development deployments are released when"
                        + " their session ends; it is a " + d.environment + " deployment");
            }
            return locks.lock(d.procedureId)
                    .chain(() -> pointers.lockNaming(deploymentId, config.maxPinStations()))
                    .chain(named -> io.smallrye.mutiny.Multi.createFrom().iterable(named)
                            .onItem().transformToUniAndConcatenate(pointer -> links.find(pointer.stationId,
                                    pointer.procedureId).chain(link -> follow(d.orgId, link, pointer,
                                    io.benchline.common.auth.Actor.SYSTEM, checkedNote, true).replaceWith(pointer)))
                            .collect().asList().map(List::size));
        });
    }

    /**
     * Unpins a locked pointer and lets it follow its link: to the rollback target while paused, else the newest
     * deployable deployment of the link. When that is none or the same, it stays, unless {@code leave}: then it is
     * cleared (no link, or nothing else fits).
     */
    private Uni<Void> follow(String orgId, Link link, Pointer pointer, io.benchline.common.auth.Actor actor,
            String note, boolean leave) {
        pointer.pinnedAt = null;
        pointer.pinnedByKeyId = null;
        pointer.pinnedByName = null;
        String stationId = pointer.stationId;
        String procedureId = pointer.procedureId;
        String from = pointer.deploymentId;
        Uni<ProjectedDeployment> target = link == null ? Uni.createFrom().nullItem() : followTarget(orgId, link);
        return target.chain(t -> {
            boolean stays = t == null || t.id.equals(from);
            if (stays && !leave) {
                return moves.record(stationId, orgId, procedureId, "unpin", PointerMoved.UNPIN, from, from,
                        pointer.pointerVersion, actor.keyId(), actor.name(), note);
            }
            String to = stays ? null : t.id;
            pointer.deploymentId = to;
            pointer.sequence = stays ? null : t.sequence;
            pointer.pointerVersion++;
            pointer.movedAt = StationService.now();
            return moves.record(stationId, orgId, procedureId, "unpin", PointerMoved.UNPIN, from, to,
                            pointer.pointerVersion, actor.keyId(), actor.name(), note)
                    .chain(() -> publish(stationId, orgId, procedureId, from, to, PointerMoved.UNPIN,
                            pointer.pointerVersion, actor, note));
        });
    }

    /**
     * Unlinks a procedure from a station: the link goes, the pointer is cleared (one move to nothing, reason
     * unlink) and open run requests of it are dropped. The agent finishes a run in flight on its version and then
     * drops the procedure. The pointer row stays, cleared, so its version keeps counting if the station is linked
     * again.
     */
    @WithTransaction
    public Uni<Void> unlink(String orgId, String stationId, String procedureId, Actor actor) {
        Ids.procedure("procedure_id", procedureId);
        return stations.requireStation(orgId, stationId)
                .call(() -> locks.lock(procedureId))
                .chain(() -> links.find(stationId, procedureId))
                .chain(link -> {
                    if (link == null) {
                        throw new NotFound("link of procedure " + procedureId + " on station", stationId);
                    }
                    return links.delete(link)
                            .chain(() -> pointers.lock(stationId, procedureId))
                            .chain(pointer -> clear(orgId, stationId, procedureId, pointer, actor))
                            .chain(() -> runRequests.dropOpen(stationId, procedureId))
                            .chain(() -> wakeups.notifyStations(List.of(stationId)));
                });
    }

    private Uni<Void> clear(String orgId, String stationId, String procedureId, Pointer pointer, Actor actor) {
        if (pointer == null) {
            return moves.record(stationId, orgId, procedureId, "unlink", PointerMoved.UNLINK, null, null, null,
                    actor.keyId(), actor.name(), null);
        }
        String from = pointer.deploymentId;
        pointer.pinnedAt = null;
        pointer.pinnedByKeyId = null;
        pointer.pinnedByName = null;
        pointer.sequence = null;
        pointer.actualDeploymentId = null;
        pointer.actualReportedAt = null;
        if (from == null) {
            return moves.record(stationId, orgId, procedureId, "unlink", PointerMoved.UNLINK, null, null,
                    pointer.pointerVersion, actor.keyId(), actor.name(), null);
        }
        pointer.deploymentId = null;
        pointer.pointerVersion++;
        pointer.movedAt = StationService.now();
        return moves.record(stationId, orgId, procedureId, "unlink", PointerMoved.UNLINK, from, null,
                        pointer.pointerVersion, actor.keyId(), actor.name(), null)
                .chain(() -> publish(stationId, orgId, procedureId, from, null, PointerMoved.UNLINK,
                        pointer.pointerVersion, actor, null));
    }

    /** The station's history, newest first, after the cursor; another organization's station is 404. */
    @WithSession
    public Uni<List<HistoryRepository.Entry>> history(String orgId, String stationId, Long before, int limit) {
        return stations.requireStation(orgId, stationId).chain(s -> history.ofStation(s.id, before, limit));
    }

    /** Where a link's pointer goes when nothing holds it: the rollback target while paused, else the newest. */
    private Uni<ProjectedDeployment> followTarget(String orgId, Link link) {
        return controls.find(link.procedureId).chain(control -> {
            if (control != null && control.paused() && Link.PRODUCTION.equals(link.environment)
                    && control.rollbackDeploymentId() != null) {
                return deployments.findById(control.rollbackDeploymentId())
                        .map(d -> d != null && PointerMover.fits(link, orgId, d) ? d : null);
            }
            return deployments.newestDeployable(orgId, link.procedureId, link.environment, link.branch);
        });
    }

    private void checkLinks(ProjectedDeployment d, List<StationLink> found) {
        List<String> unknown = found.stream().filter(s -> !s.exists()).map(StationLink::stationId).toList();
        if (!unknown.isEmpty()) {
            throw new NotFound(unknown.size() == 1 ? "station" : "stations", String.join(", ", unknown));
        }
        List<String> unlinked = found.stream().filter(s -> !s.linked()).map(StationLink::stationId).toList();
        if (!unlinked.isEmpty()) {
            throw new NotLinked(d.procedureId, unlinked);
        }
        if (DEVELOPMENT.equals(d.environment)) {
            List<String> notDevelopment = found.stream().filter(s -> !s.development()).map(StationLink::stationId)
                    .toList();
            if (!notDevelopment.isEmpty()) {
                throw new WrongEnvironment(d.id, notDevelopment, "development deployments go only to stations marked"
                        + " for development (PATCH /v2/stations/{id} {\"development\": true})");
            }
        } else if (Link.PREVIEW.equals(d.environment)) {
            List<String> production = found.stream().filter(s -> Link.PRODUCTION.equals(s.environment()))
                    .map(StationLink::stationId).toList();
            if (!production.isEmpty()) {
                throw new PromoteFirst(d.id, production);
            }
            // An upload's preview has no branch: it fits any preview link, by pin only (fan-out never moves it).
            List<String> otherBranch = found.stream().filter(s -> d.branch != null && !d.branch.equals(s.branch()))
                    .map(StationLink::stationId).toList();
            if (!otherBranch.isEmpty()) {
                throw new WrongEnvironment(d.id, otherBranch, "their preview links follow another branch than "
                        + d.branch);
            }
        } else if (!Link.PRODUCTION.equals(d.environment)) {
            throw new DeploymentNotDeployable(d.id, "it is a " + d.environment + " deployment");
        } else {
            List<String> preview = found.stream().filter(s -> Link.PREVIEW.equals(s.environment()))
                    .map(StationLink::stationId).toList();
            if (!preview.isEmpty()) {
                throw new WrongEnvironment(d.id, preview, "preview links take only preview deployments of their"
                        + " branch");
            }
        }
    }

    private List<String> distinctStations(List<String> stationIds) {
        if (stationIds == null || stationIds.isEmpty()) {
            throw ProblemException.invalid("station_ids", "name at least one station");
        }
        if (stationIds.size() > config.maxPinStations()) {
            throw new TooManyStations(config.maxPinStations());
        }
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (String id : stationIds) {
            if (id == null || !id.matches("^stn_[0-9a-z]{26}$")) {
                throw ProblemException.invalid("station_ids", "every entry must be a station id (stn_ + 26"
                        + " lower-case characters)");
            }
            ids.add(id);
        }
        return List.copyOf(ids);
    }

    private Uni<Void> publishPins(ProjectedDeployment d, List<Pinned> pinned, Actor actor, String note) {
        List<Outbox.Entry> events = new ArrayList<>();
        List<String> woken = new ArrayList<>();
        for (Pinned p : pinned) {
            if (!p.moved()) {
                continue;
            }
            woken.add(p.stationId());
            events.add(entry(p.stationId(), new PointerMoved(p.stationId(), d.orgId, d.procedureId,
                    p.fromDeploymentId(), d.id, PointerMoved.PIN, p.pointerVersion(), ref(actor), note)));
        }
        return outbox.appendAll(events).chain(() -> wakeups.notifyStations(woken));
    }

    private Uni<Void> publish(String stationId, String orgId, String procedureId, String from, String to,
            String reason, long version, Actor actor, String note) {
        return outbox.appendAll(List.of(entry(stationId, new PointerMoved(stationId, orgId, procedureId, from, to,
                        reason, version, ref(actor), note))))
                .chain(() -> wakeups.notifyStations(List.of(stationId)));
    }

    private static Outbox.Entry entry(String stationId, PointerMoved moved) {
        return new Outbox.Entry(Topics.STATION_POINTER_MOVED, stationId, "station",
                EventCodec.envelope(EventTypes.POINTER_MOVED, PointerMover.SOURCE, stationId, moved));
    }

    private static ActorRef ref(Actor actor) {
        return new ActorRef(actor.keyId(), actor.name());
    }
}
