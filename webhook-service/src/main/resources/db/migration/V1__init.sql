-- webhook-service: one row per accepted provider delivery (the dedup record), and the outbox that
-- carries deployment.requested to Kafka in the same transaction.

create table deliveries (
    provider    text        not null,
    delivery_id text        not null,
    hook_id     text        not null,
    org_id      text        not null,
    event_id    text        not null,
    received_at timestamptz not null,
    primary key (provider, delivery_id)
);

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

create index outbox_seq on outbox (seq);

-- Not used by this service today (it consumes nothing); kept so every service's schema has the same shape.
create table processed_events (
    event_id     text        not null,
    consumer     text        not null,
    processed_at timestamptz not null,
    primary key (event_id, consumer)
);
