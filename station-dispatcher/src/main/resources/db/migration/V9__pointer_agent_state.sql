-- What the agent does with the pointer's deployment: downloading, installing, staged (ready, waiting for the run in
-- flight to end), active, or failed with the reason; and since when a deployment has been staged.
alter table pointers add column agent_state text, add column agent_state_deployment_id text,
    add column agent_state_reason text, add column agent_state_at timestamptz, add column staged_since timestamptz;
