-- Managing deployments: pins, unlink, promote and rollback controls, delete tombstones, history.

-- A pin holds a pointer where it was put: automatic fan-out leaves a pinned pointer alone until the pin is released
-- or replaced (another pin, a promote, a rollback). Who pinned it is kept beside it.
alter table pointers
    add column pinned_at        timestamptz,
    add column pinned_by_key_id text,
    add column pinned_by_name   text;

-- Unlink deletes the link but keeps the pointer row, cleared, so that its pointer_version keeps increasing when the
-- station is linked again (consumers keep the highest version per pointer). Every move joins links, so an unlinked
-- pointer is never moved.
alter table pointers drop constraint pointers_station_id_procedure_id_fkey;

-- What the dispatcher knows of a procedure's promote / rollback / resume state, from deployment.events.
-- control_version increases by one with each such change; an older change arriving late is ignored.
create table procedure_controls (
    procedure_id           text primary key,
    org_id                 text        not null,
    paused                 boolean     not null,
    rollback_deployment_id text,
    control_version        bigint      not null,
    updated_at             timestamptz not null
);

-- Jobs of explicit moves (promote, rollback) carry the control version that made them: a job superseded by a newer
-- explicit one stops. A procedure may be rolled back to the same deployment twice, so a job is unique per
-- (deployment, reason, control version).
alter table fanout_jobs
    add column control_version bigint,
    add column actor_key_id    text,
    add column actor_name      text,
    add column note            text;
alter table fanout_jobs drop constraint fanout_jobs_deployment_id_reason_key;
create unique index fanout_jobs_once on fanout_jobs (deployment_id, reason, (coalesce(control_version, 0)));

-- Every pointer move, pin, unpin and unlink of a station: who, when, why, from and to. Written by the same statement
-- that makes the change. seq orders it (newest first when read) and is the cursor.
create table station_history (
    seq                bigserial primary key,
    station_id         text        not null,
    org_id             text        not null,
    procedure_id       text        not null,
    action             text        not null,
    reason             text,
    from_deployment_id text,
    to_deployment_id   text,
    pointer_version    bigint,
    actor_key_id       text,
    actor_name         text,
    note               text,
    at                 timestamptz not null
);
create index station_history_newest on station_history (station_id, seq desc);
