-- What an agent did with a deployment, as it reported it (downloading, installing, staged, active, failed + reason):
-- one row per change of state, for the station's timeline.
create table station_events (
    id            bigserial primary key,
    station_id    text        not null,
    org_id        text        not null,
    procedure_id  text        not null,
    deployment_id text,
    state         text        not null,
    reason        text,
    at            timestamptz not null
);
create index station_events_newest on station_events (station_id, at desc);
create index station_history_by_at on station_history (station_id, at desc);
