-- The procedure's control version an automatic fan-out's ready event was written at (deployment-service decided
-- auto_push then). A pause the dispatcher applied at that version or before was already over for deployment-service
-- (its resume or promote is still on its way on another partition), so it does not stop this job; a pause applied
-- at a later version does. Null: the event carried none (older producers), and any pause stops the job.
alter table fanout_jobs add column seen_control_version bigint;
