-- Signing keys per organization, rotated by POST /v2/keys/rotate. The one global key of V1 signed only the digest
-- (an artifact of one organization verified for every other); it stays as a retired row without an organization,
-- listed to nobody, so nothing signs with it any more.
alter table signing_keys add column organization_id text;
alter table signing_keys add column activated_at timestamptz;
alter table signing_keys add column retired_at timestamptz;
update signing_keys set activated_at = created_at,
                        retired_at = case when active then now() else created_at end;
drop index signing_keys_one_active;
alter table signing_keys drop column active;
alter table signing_keys rename column key_id to id;
alter table signing_keys add column algorithm text not null default 'Ed25519';

-- Exactly one active (not retired) key per organization: two rotations, or two first uploads, racing for one
-- organization cannot both leave a key active. Rotation also serializes on the organization's advisory lock.
create unique index signing_keys_one_active_per_org on signing_keys (organization_id) where retired_at is null;
alter table signing_keys add constraint signing_keys_active_has_org
    check (retired_at is not null or organization_id is not null);
create index signing_keys_by_org on signing_keys (organization_id, created_at);
