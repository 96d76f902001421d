-- The rollout health gate: a stage advances when its canary is not worse than the base, aborts when it is, and turns
-- the rollout to needs_attention when too few runs came in before the gate's timeout.
alter table rollouts add column gate jsonb,
                     add column stage_started_at timestamptz,
                     add column attention_reason text;
alter table rollout_history add column figures jsonb;
drop index rollouts_one_active;
create unique index rollouts_one_active on rollouts (procedure_id) where state in ('running', 'paused', 'needs_attention');
