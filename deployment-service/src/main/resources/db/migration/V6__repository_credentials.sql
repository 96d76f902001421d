-- Repository credentials (an access token or an SSH deploy key), write-only through the API, encrypted with
-- AES-256-GCM under benchline.secrets.key: the id of that key, the nonce and the ciphertext, never the clear value.
alter table procedures
    add column credentials_type       text check (credentials_type in ('token', 'ssh_key')),
    add column credentials_key_id     text,
    add column credentials_nonce      bytea,
    add column credentials_ciphertext bytea,
    add column credentials_updated_at timestamptz,
    add constraint procedures_credentials_complete check (
        (credentials_type is null and credentials_key_id is null and credentials_nonce is null
            and credentials_ciphertext is null and credentials_updated_at is null)
        or (credentials_type is not null and credentials_key_id is not null and credentials_nonce is not null
            and credentials_ciphertext is not null and credentials_updated_at is not null));
