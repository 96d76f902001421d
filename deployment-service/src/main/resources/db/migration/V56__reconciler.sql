-- The reconciler for missed pushes (Reconciler): per procedure on/off and interval, when it is next due, the claim of
-- the pass that handles it now, the heads it saw, and what went wrong last. V56 keeps clear of the versions other
-- branches add.
alter table procedures
    add column reconcile_enabled          boolean not null default false,
    add column reconcile_interval_seconds integer not null default 300 check (reconcile_interval_seconds > 0),
    -- null while disabled; a pass moves it on by the interval when it claims the procedure
    add column reconcile_next_at          timestamptz,
    -- the pass that claimed the procedure last; a pass applies its result only while its claim is still this one
    add column reconcile_claim            text,
    -- null until the first pass recorded the heads (that pass builds nothing); reset on enable and on a new repository
    add column reconcile_baseline_at      timestamptz,
    add column last_reconciled_at         timestamptz,
    add column last_reconcile_error       text,
    add column last_reconcile_error_at    timestamptz;
create index procedures_reconcile_due on procedures (reconcile_next_at, id) where reconcile_enabled;

-- Every branch head the last pass saw (excluded branches too, so a change of the rules makes no old head look new).
create table reconcile_heads (
    procedure_id text not null references procedures (id),
    branch       text not null,
    commit_sha   text not null,
    seen_at      timestamptz not null,
    primary key (procedure_id, branch)
);

-- A deployment the reconciler created (trigger auto, no delivery until a late webhook claims it).
alter table deployments add column reconciled boolean not null default false;
-- "Does this commit have a deployment of this procedure?" for the reconciler and for late webhooks.
create index deployments_procedure_commit on deployments (procedure_id, commit_sha);
