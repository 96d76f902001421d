-- Ed25519 signing keys. Retired keys stay listed so that older artifacts keep verifying.
create table signing_keys (
    key_id      text primary key,
    public_key  bytea       not null,
    private_key bytea       not null,
    created_at  timestamptz not null,
    active      boolean     not null
);

-- At most one active key: two instances starting at once cannot both create one.
create unique index signing_keys_one_active on signing_keys (active) where active;
