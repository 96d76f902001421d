-- A build.completed that overtook some of its build.logs batches is held here, the status unchanged, until the
-- lines it counts are stored or benchline.deployments.log-wait has passed (then the sweeper finalizes it anyway).
-- held_completed: the build.completed data as JSON; expected_log_lines: its log_line_count.
alter table deployments
    add column held_completed     text,
    add column expected_log_lines bigint,
    add column held_since         timestamptz;

-- The sweeper's scan: only held deployments, oldest first.
create index deployments_held on deployments (held_since) where held_since is not null;
