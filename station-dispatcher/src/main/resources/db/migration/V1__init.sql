-- station-dispatcher: stations, their links and pointers, a projection of deployments, runs.

create table stations (
    id               text primary key,
    org_id           text        not null,
    name             text        not null,
    agent_token_hash text        not null unique,
    created_at       timestamptz not null,
    last_seen_at     timestamptz,
    unique (org_id, name)
);

-- One link per (station, procedure); production links follow production, preview links one branch.
create table links (
    station_id   text        not null references stations (id),
    procedure_id text        not null,
    environment  text        not null check (environment in ('production', 'preview')),
    branch       text,
    created_at   timestamptz not null,
    primary key (station_id, procedure_id),
    check ((environment = 'production' and branch is null) or (environment = 'preview' and branch is not null))
);
create index links_procedure on links (procedure_id);

-- What this service knows of deployments, from deployment.events only.
create table deployments (
    id                  text primary key,
    org_id              text        not null,
    procedure_id        text        not null,
    sequence            bigint      not null,
    environment         text        not null,
    branch              text,
    status              text        not null,
    artifact_digest     text,
    artifact_size_bytes bigint,
    artifact_signature  text,
    artifact_key_id     text,
    deleted             boolean     not null default false,
    updated_at          timestamptz not null
);
create index deployments_newest on deployments (procedure_id, environment, sequence desc);

-- Desired deployment per (station, procedure), set here; actual one, reported by the agent.
create table pointers (
    station_id           text        not null references stations (id),
    procedure_id         text        not null,
    deployment_id        text references deployments (id),
    sequence             bigint,
    pointer_version      bigint      not null default 0,
    moved_at             timestamptz,
    actual_deployment_id text,
    actual_reported_at   timestamptz,
    primary key (station_id, procedure_id),
    foreign key (station_id, procedure_id) references links (station_id, procedure_id)
);

create table run_requests (
    id           text primary key,
    station_id   text        not null references stations (id),
    procedure_id text        not null,
    created_at   timestamptz not null,
    claimed_at   timestamptz,
    run_id       text
);
create index run_requests_open on run_requests (station_id, created_at) where claimed_at is null;

create table runs (
    id             text primary key,
    station_id     text        not null references stations (id),
    procedure_id   text        not null,
    deployment_id  text        not null,
    run_request_id text,
    started_at     timestamptz,
    finished_at    timestamptz,
    outcome        text,
    duration_ms    bigint,
    created_at     timestamptz not null
);
create index runs_by_station on runs (station_id, created_at desc);

create table outbox (
    seq            bigserial,
    id             text primary key,
    aggregate_type text        not null,
    aggregate_id   text,
    type           text        not null,
    topic          text        not null,
    message_key    text,
    occurred_at    timestamptz not null,
    payload        jsonb       not null
);

create table processed_events (
    event_id     text        not null,
    consumer     text        not null,
    processed_at timestamptz not null,
    primary key (event_id, consumer)
);
