-- Rolling rollouts: a production deployment moves to its procedure's production stations stage by stage. The state
-- and its timer (advance_at) live here, so a restart of any process resumes where the rollout was.
create table rollouts (
    id                  text primary key,
    org_id              text        not null,
    procedure_id        text        not null,
    deployment_id       text        not null,
    state               text        not null, -- running, paused, completed, aborted, superseded
    -- [{stations|percent, target}]: each stage's target, resolved against station_count at creation
    stages              jsonb       not null,
    stage               integer     not null, -- the current stage: stations ranked below its target are moved
    station_count       integer     not null,
    wait_seconds        bigint,               -- each stage but the last advances by itself after this (null: by hand)
    advance_at          timestamptz,          -- the current stage's timer
    paused_remaining_ms bigint,               -- what was left of the timer when it was paused
    from_plan           boolean     not null default false,
    created_by_key_id   text,
    created_by_name     text,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    finished_at         timestamptz
);
-- One active rollout per procedure, whatever the code does.
create unique index rollouts_one_active on rollouts (procedure_id) where state in ('running', 'paused');
create index rollouts_by_procedure on rollouts (procedure_id, id desc);
create index rollouts_due on rollouts (advance_at) where state = 'running';

-- The stations a rollout covers, snapshotted at creation: canaries first, then a fixed pseudo-random order.
create table rollout_stations (
    rollout_id         text    not null references rollouts (id),
    station_id         text    not null,
    rank               integer not null,
    from_deployment_id text,           -- what the station had: an abort sends it back there
    canary             boolean not null default false,
    primary key (rollout_id, station_id)
);
create index rollout_stations_rank on rollout_stations (rollout_id, rank);

create table rollout_history (
    id           bigserial primary key,
    rollout_id   text        not null references rollouts (id),
    at           timestamptz not null,
    action       text        not null, -- created, advanced, paused, resumed, aborted, completed, superseded
    stage        integer,
    actor_key_id text,
    actor_name   text,
    note         text
);
create index rollout_history_of on rollout_history (rollout_id, id desc);

-- A procedure's default plan: a ready production deployment starts it instead of fanning out at once.
create table rollout_plans (
    procedure_id       text primary key,
    org_id             text        not null,
    stages             jsonb       not null, -- [{stations|percent}]
    wait_seconds       bigint,
    canary_station_ids text        not null default '',
    updated_at         timestamptz not null
);

-- A stage's moves are a fan-out job limited to the rollout's stations ranked below the stage's target.
alter table fanout_jobs add column rollout_id text, add column rollout_max_rank integer;
drop index fanout_jobs_once;
create unique index fanout_jobs_once on fanout_jobs (deployment_id, reason, (coalesce(control_version, 0)),
    (coalesce(rollout_id, '')), (coalesce(rollout_max_rank, 0)));
