-- The relay takes the oldest rows first; a fan-out can leave tens of thousands waiting, so read them by index.
create index outbox_by_seq on outbox (seq);

-- A fan-out chunk updates a thousand pointers in one statement. The foreign key to the deployment projection cost
-- one trigger-run lookup per row (most of the chunk's time); the chunk's SQL only ever names a projected, ready
-- deployment (invariant 6 is its predicate), so the key adds nothing there.
alter table pointers drop constraint pointers_deployment_id_fkey;

-- Room on each page for the updated row version, so a move (no indexed column changes) is a HOT update and
-- writes no index entries.
alter table pointers set (fillfactor = 70);
