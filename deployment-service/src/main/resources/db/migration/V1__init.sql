-- deployment-service: organizations and their API keys, procedures, deployments, build logs,
-- the station pointer and run projections, and the outbox / consumer dedup tables.

create table organizations (
    id         text primary key,
    name       text not null unique,
    created_at timestamptz not null
);

-- Keys are stored only as SHA-256 hex of the key; the key itself is shown once and never kept.
create table api_keys (
    id         text primary key,
    org_id     text not null references organizations (id),
    key_hash   text not null unique,
    name       text,
    created_at timestamptz not null
);

create table procedures (
    id                text primary key,
    org_id            text not null references organizations (id),
    name              text not null,
    provider          text not null,
    clone_url         text not null,
    full_name         text,
    -- clone_url normalized (no scheme, user@, .git; lower case) so pushes match whatever URL form they carry
    repository_key    text not null,
    full_name_key     text,
    production_branch text not null,
    auto_push         boolean not null,
    excluded_branches text not null default '[]',
    hook_id           text not null unique,
    hook_secret       text not null,
    next_sequence     bigint not null default 1,
    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    unique (org_id, name)
);
create index procedures_repository on procedures (org_id, repository_key);
create index procedures_full_name on procedures (org_id, full_name_key);

create table deployments (
    id                  text primary key,
    org_id              text not null references organizations (id),
    procedure_id        text not null references procedures (id),
    sequence            bigint not null,
    delivery_id         text,
    commit_sha          text,
    commit_message      text,
    commit_author       text,
    branch              text,
    environment         text not null,
    trigger             text not null,
    status              text not null,
    source              text not null,
    platform            text,
    language            text,
    runtime_version     text,
    entry_point         text,
    started_at          timestamptz,
    ended_at            timestamptz,
    build_duration_ms   bigint,
    artifact_digest     text,
    artifact_size_bytes bigint,
    artifact_signature  text,
    artifact_key_id     text,
    failure_reason      text,
    promoted_from       text,
    retry_of            text,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    unique (procedure_id, sequence)
);
-- Invariant 1, belt and braces: one deployment per (procedure, provider delivery).
create unique index deployments_delivery on deployments (procedure_id, delivery_id) where delivery_id is not null;
-- Listing pages newest first by id (ids are time-ordered) within an organization.
create index deployments_org_id on deployments (org_id, id desc);
create index deployments_procedure_id on deployments (procedure_id, id desc);

create table build_log_lines (
    deployment_id text not null references deployments (id),
    number        bigint not null,
    timestamp     timestamptz not null,
    level         text not null,
    text          text not null,
    primary key (deployment_id, number)
);

create table station_pointers (
    station_id      text not null,
    procedure_id    text not null,
    org_id          text,
    deployment_id   text,
    pointer_version bigint not null,
    updated_at      timestamptz not null,
    primary key (station_id, procedure_id)
);
create index station_pointers_deployment on station_pointers (deployment_id);

create table runs (
    run_id        text primary key,
    station_id    text not null,
    org_id        text,
    deployment_id text not null,
    procedure_id  text not null,
    started_at    timestamptz,
    finished_at   timestamptz,
    outcome       text,
    duration_ms   bigint
);
create index runs_deployment on runs (deployment_id, run_id desc);

create table outbox (
    seq            bigserial,
    id             text primary key,
    aggregate_type text not null,
    aggregate_id   text,
    type           text not null,
    topic          text not null,
    message_key    text,
    occurred_at    timestamptz not null,
    payload        jsonb not null
);

create table processed_events (
    event_id     text not null,
    consumer     text not null,
    processed_at timestamptz not null,
    primary key (event_id, consumer)
);
