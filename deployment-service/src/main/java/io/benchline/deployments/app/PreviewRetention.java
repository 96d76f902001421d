package io.benchline.deployments.app;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Expires preview deployments older than {@code benchline.retention.preview-max-age} (90 days): like a delete by
 * the system (station-dispatcher confirms no station points at or pins it, the log goes, a {@code deleted} event is
 * published, the artifact bytes leave S3 once no other deployment shares them), but the record keeps
 * {@code expired_at} and the reason, so the deployment answers 410 Gone with both instead of 404. A preview a station
 * points at or pins is left alone and looked at again on a later pass; production deployments never expire.
 */
@ApplicationScoped
public class PreviewRetention {
    private static final Logger LOG = Logger.getLogger(PreviewRetention.class);

    private final RetentionConfig config;
    private final DeploymentManagement management;

    public PreviewRetention(RetentionConfig config, DeploymentManagement management) {
        this.config = config;
        this.management = management;
    }

    @Scheduled(every = "${benchline.retention.interval:1h}", delay = 60, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return config.enabled() ? pass().replaceWithVoid() : Uni.createFrom().voidItem();
    }

    /** One pass: returns how many previews expired. */
    public Uni<Integer> pass() {
        String reason = "preview deployments expire " + describe(config.previewMaxAge()) + " after they were created"
                + " (benchline.retention.preview-max-age) unless a station points at them or pins them";
        return candidates().chain(ids -> Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> management.expire(id, reason)
                        .onFailure().recoverWithItem(f -> {
                            LOG.debugf("preview %s not expired now: %s", id, f.toString());
                            return false;
                        }))
                .collect().asList()
                .map(done -> (int) done.stream().filter(Boolean::booleanValue).count())
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("%d preview deployments expired", n);
                    }
                }));
    }

    /** Old final previews no station of deployment-service's projection points at, oldest first. */
    private Uni<List<String>> candidates() {
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minus(config.previewMaxAge());
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                        select d.id from deployments d
                        where d.environment = 'preview' and d.deleted_at is null and d.deleting_since is null
                          and d.status in ('ready', 'failed') and d.created_at < ?1
                          and not exists (select 1 from station_pointers p where p.deployment_id = d.id)
                        order by d.created_at limit ?2""", String.class)
                .setParameter(1, before).setParameter(2, config.batchSize()).getResultList()));
    }

    /** A whole number of days, hours, minutes or seconds in words; anything else in ISO-8601. */
    static String describe(java.time.Duration age) {
        long days = age.toDays();
        if (days >= 1 && age.equals(java.time.Duration.ofDays(days))) {
            return days + (days == 1 ? " day" : " days");
        }
        long hours = age.toHours();
        if (hours >= 1 && age.equals(java.time.Duration.ofHours(hours))) {
            return hours + (hours == 1 ? " hour" : " hours");
        }
        long minutes = age.toMinutes();
        if (minutes >= 1 && age.equals(java.time.Duration.ofMinutes(minutes))) {
            return minutes + (minutes == 1 ? " minute" : " minutes");
        }
        long seconds = age.toSeconds();
        if (seconds >= 1 && age.equals(java.time.Duration.ofSeconds(seconds))) {
            return seconds + (seconds == 1 ? " second" : " seconds");
        }
        return age.toString();
    }
}
