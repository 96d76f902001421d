-- The outbox and consumer dedup tables every service with a database uses, owned here in service-common
-- (flyway location classpath:db/outbox). Services created before this file have the same tables from their own early
-- migrations; "if not exists" makes this one a no-op there, and a new service gets them from here alone.

create table if not exists outbox (
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
create index if not exists outbox_by_seq on outbox (seq);

-- Rows the broker refused for good (benchline.outbox.max-attempts times), kept with the error for replay.
create table if not exists outbox_failed (
    id             text primary key,
    aggregate_type text        not null,
    aggregate_id   text,
    type           text        not null,
    topic          text        not null,
    message_key    text,
    occurred_at    timestamptz not null,
    payload        jsonb       not null,
    failed_at      timestamptz not null,
    error          text        not null
);

create table if not exists processed_events (
    event_id     text        not null,
    consumer     text        not null,
    processed_at timestamptz not null,
    primary key (event_id, consumer)
);
-- The pruner deletes by age.
create index if not exists processed_events_by_age on processed_events (processed_at);
