-- API keys get a role (admin > member > viewer), can be revoked, and name the key that created them.
-- Keys that exist already (bootstrap keys) stay admin: they could do everything before roles existed.
alter table api_keys
    add column role              text not null default 'admin' check (role in ('admin', 'member', 'viewer')),
    add column revoked_at        timestamptz,
    add column created_by_key_id text references api_keys (id);

-- GET /v2/api-keys lists an organization's keys newest first.
create index api_keys_org on api_keys (org_id, created_at desc, id desc);
