-- Outbox rows the broker refused benchline.outbox.max-attempts times in a row (say, larger than the broker
-- accepts) move here with the error, so they stop holding back the rows behind them and are not lost.
create table outbox_failed (
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
