-- Working trees the CLI uploads (benchline deploy / dev) with a presigned PUT, before a deployment builds them.
-- The object is uploads/<organization>/<id>.zip; the row says what the CLI announced, so the build can check the
-- bytes it reads. UploadSweeper removes rows and objects once they expire.
create table uploads (
    id                text primary key,
    organization_id   text not null,
    size_bytes        bigint not null,
    sha256            text not null,
    created_by_key_id text,
    created_at        timestamptz not null,
    expires_at        timestamptz not null
);
create index uploads_expiry on uploads (expires_at);
