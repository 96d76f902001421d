-- Deployments from an upload (benchline deploy / dev) name it; development deployments live while their CLI
-- session sends heartbeats, and DevelopmentSessions removes them a configured time after the session ends.
alter table deployments add column upload_id text,
                        add column session_expires_at timestamptz,
                        add column session_ended_at timestamptz;
create index deployments_development_sessions on deployments (session_expires_at)
    where environment = 'development' and deleted_at is null;

-- A procedure needs no connected repository: without one, deployments come from uploads only.
alter table procedures alter column provider drop not null,
                       alter column clone_url drop not null,
                       alter column repository_key drop not null;
