-- Managing deployments: promote, rollback and resume, delete, history.

-- A rollback pauses automatic fan-out of the procedure until a resume or the next promote. control_version counts
-- every promote, rollback and resume, so station-dispatcher applies them in order whatever order they arrive in.
alter table procedures
    add column paused_at              timestamptz,
    add column paused_by_key_id       text,
    add column paused_by_name         text,
    add column pause_reason           text,
    add column pause_note             text,
    add column rollback_deployment_id text,
    add column control_version        bigint not null default 0;

-- first_deployed_at: when a station pointer first named the deployment (a rollback target must have run).
-- deleting_since: the delete's tombstone, set before station-dispatcher is asked; deleted_at once it is done.
alter table deployments
    add column first_deployed_at timestamptz,
    add column deleting_since    timestamptz,
    add column deleted_at        timestamptz,
    add column deleted_by_key_id text,
    add column deleted_by_name   text;
create index deployments_deleting on deployments (deleting_since) where deleting_since is not null and deleted_at is null;
create index deployments_digest on deployments (artifact_digest) where artifact_digest is not null;

-- Artifact bytes a delete may free: removed from S3 once no live deployment references the digest.
create table artifact_deletions (
    digest       text primary key,
    requested_at timestamptz not null
);

-- Promote, rollback, resume, delete and rerun of a procedure's deployments: who, when, why, from and to.
create table procedure_history (
    seq                bigserial primary key,
    procedure_id       text        not null,
    org_id             text        not null,
    action             text        not null,
    deployment_id      text,
    from_deployment_id text,
    actor_key_id       text,
    actor_name         text,
    note               text,
    at                 timestamptz not null
);
create index procedure_history_newest on procedure_history (procedure_id, seq desc);
