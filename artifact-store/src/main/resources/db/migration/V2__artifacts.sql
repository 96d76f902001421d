-- One row per stored digest: when bytes of that digest were last uploaded. A delete is refused when an upload
-- happened after the time the deleter names (a rebuild of the same commit uploads the same digest and needs the
-- bytes). Uploads and deletes of one digest serialize on pg_advisory_xact_lock(<class>, hashtext(digest)).
create table artifacts (
    digest           text primary key,
    size_bytes       bigint      not null,
    last_uploaded_at timestamptz not null
);
