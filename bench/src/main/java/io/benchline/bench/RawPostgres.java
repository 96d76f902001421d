package io.benchline.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The webhook intake's database work without the service: JDBC straight to the stack's PostgreSQL (same server,
 * synchronous_commit=on), {@code concurrency} connections each inserting a delivery row and an outbox row of the
 * intake's shape and committing, as fast as they can. Scratch tables in benchline_webhooks, dropped afterwards.
 * It shows what durable commits cost on this machine, and what a NOTIFY in each transaction does to them
 * (PostgreSQL serializes the commits of notifying transactions). Also the raw UPDATE of pointer-like rows that the
 * fan-out and rollout parts set beside their moves.
 */
final class RawPostgres {
    /** About the size of a normalized deployment.requested envelope of the bench's fixture. */
    static final String PAYLOAD = "{\"filler\":\"" + "x".repeat(1_200) + "\"}";

    private RawPostgres() {
    }

    /** Pushes written per second; {@code perTransaction} pushes share one commit. */
    static double pushesPerSecond(BenchStack stack, int concurrency, int perTransaction, boolean notify,
            Duration duration) throws Exception {
        try (Connection c = stack.jdbc("benchline_webhooks"); Statement s = c.createStatement()) {
            s.execute("drop table if exists bench_raw_deliveries, bench_raw_outbox");
            s.execute("create table bench_raw_deliveries (provider text, hook_id text, delivery_id text, org_id text,"
                    + " event_id text not null, received_at timestamptz not null,"
                    + " primary key (provider, hook_id, delivery_id))");
            s.execute("create table bench_raw_outbox (seq bigserial, id text primary key, topic text not null,"
                    + " message_key text, occurred_at timestamptz not null, payload jsonb not null)");
            s.execute("create index on bench_raw_outbox (seq)");
        }
        AtomicLong pushes = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(concurrency);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            Thread thread = new Thread(() -> {
                try (Connection c = stack.jdbc("benchline_webhooks")) {
                    c.setAutoCommit(false);
                    PreparedStatement delivery = c.prepareStatement(values("insert into bench_raw_deliveries values ",
                            "('github', 'hk', ?, 'org', ?, now())", perTransaction) + " on conflict do nothing");
                    PreparedStatement outbox = c.prepareStatement(values(
                            "insert into bench_raw_outbox (id, topic, message_key, occurred_at, payload) values ",
                            "(?, 'deployment.requested', 'acme/repo', now(), cast(? as jsonb))", perTransaction));
                    PreparedStatement notification = c.prepareStatement("select pg_notify('bench_raw', '')");
                    ready.countDown();
                    go.await();
                    long end = window[1];
                    while (System.nanoTime() < end) {
                        for (int i = 0; i < perTransaction; i++) {
                            String id = UUID.randomUUID().toString();
                            delivery.setString(2 * i + 1, id);
                            delivery.setString(2 * i + 2, "evt_" + id);
                            outbox.setString(2 * i + 1, "evt_" + id);
                            outbox.setString(2 * i + 2, PAYLOAD);
                        }
                        delivery.executeUpdate();
                        outbox.executeUpdate();
                        if (notify) {
                            notification.execute();
                        }
                        c.commit();
                        if (System.nanoTime() <= end) {
                            pushes.addAndGet(perTransaction);
                        }
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                    ready.countDown();
                }
            }, "raw-postgres-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        ready.await();
        window[0] = System.nanoTime();
        window[1] = window[0] + duration.toNanos();
        go.countDown();
        for (Thread thread : threads) {
            thread.join(duration.toMillis() + 60_000);
        }
        try (Connection c = stack.jdbc("benchline_webhooks"); Statement s = c.createStatement()) {
            s.execute("drop table if exists bench_raw_deliveries, bench_raw_outbox");
        }
        if (failure.get() != null) {
            throw new SQLException("raw PostgreSQL baseline failed: " + failure.get(), failure.get());
        }
        return pushes.get() / (duration.toNanos() / 1e9);
    }

    /**
     * The fan-out's raw baseline: one {@code UPDATE} of {@code n} pointer-like rows (station id, deployment id,
     * version, moved_at) in a scratch table of station-dispatcher's database, freshly vacuumed; the update alone is
     * timed, and the table is dropped.
     */
    static double updateRows(BenchStack stack, int n) throws Exception {
        return updateRows(stack, n, n);
    }

    /** A rollout stage's: the same table of {@code n} rows, one {@code UPDATE} of the first {@code updated} by id. */
    static double updateRows(BenchStack stack, int n, int updated) throws Exception {
        String table = "bench_scratch_" + Fleet.randomTag();
        try (Connection c = stack.jdbc("benchline_dispatcher"); Statement s = c.createStatement()) {
            s.execute("create table " + table + " (id bigint primary key, station_id text not null,"
                    + " deployment_id text, pointer_version bigint not null, moved_at timestamptz)");
            s.execute("insert into " + table + " select g, 'stn_' || lpad(g::text, 26, '0'), 'dep_old', 1, now()"
                    + " from generate_series(1, " + n + ") g");
            s.execute("vacuum analyze " + table);
            long t0 = System.nanoTime();
            s.executeUpdate("update " + table + " set deployment_id = 'dep_new', pointer_version = pointer_version + 1,"
                    + " moved_at = now()" + (updated < n ? " where id <= " + updated : ""));
            double seconds = (System.nanoTime() - t0) / 1e9;
            s.execute("drop table " + table);
            return seconds;
        }
    }

    private static String values(String head, String row, int count) {
        StringBuilder b = new StringBuilder(head);
        for (int i = 0; i < count; i++) {
            b.append(i == 0 ? "" : ", ").append(row);
        }
        return b.toString();
    }
}
