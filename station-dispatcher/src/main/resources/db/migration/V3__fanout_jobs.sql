-- A fan-out is durable work. The ready event only records it here (and commits its offset); FanOutWorker then
-- moves the pointers in chunks, each chunk committed together with its events and this cursor, so a restart at
-- any point resumes after the last committed chunk, with no move lost or made twice.
create table fanout_jobs (
    id            text primary key,
    deployment_id text        not null references deployments (id),
    org_id        text        not null,
    procedure_id  text        not null,
    reason        text        not null,
    -- keyset cursor: every pointer with a station id up to this one has been handled
    after_station text        not null default '',
    moved         bigint      not null default 0,
    created_at    timestamptz not null,
    finished_at   timestamptz,
    unique (deployment_id, reason)
);
create index fanout_jobs_open on fanout_jobs (created_at) where finished_at is null;

-- Chunks walk a procedure's pointers in station order.
create index pointers_by_procedure on pointers (procedure_id, station_id);
