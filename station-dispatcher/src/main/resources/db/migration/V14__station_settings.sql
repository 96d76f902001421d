-- Per procedure: how stations switch to a staged deployment. A station switches once it has been idle (no run of the
-- procedure in progress or ended) for idle_window_seconds; a deployment staged for longer than max_deferral_seconds
-- makes it drain (no new run until the one in flight ended and the switch is done). No row: the service's defaults.
create table procedure_station_settings (
    procedure_id text primary key,
    org_id text not null,
    idle_window_seconds integer not null check (idle_window_seconds >= 0),
    max_deferral_seconds integer not null check (max_deferral_seconds >= 0),
    updated_at timestamptz not null default now()
);
