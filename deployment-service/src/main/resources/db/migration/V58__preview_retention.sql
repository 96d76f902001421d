-- Previews expire (PreviewRetention): a deleted deployment with expired_at answers 410 with when and why.
alter table deployments add column expired_at timestamptz, add column expired_reason text;
create index deployments_expirable on deployments (created_at) where environment = 'preview' and deleted_at is null;
