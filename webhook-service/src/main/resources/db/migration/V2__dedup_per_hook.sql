-- A provider delivery id names one event, not one delivery: GitHub sends the same X-GitHub-Delivery to every hook
-- that subscribes to the event, and GitLab's X-Gitlab-Event-UUID is shared by recursive hooks. Two Benchline hooks
-- (procedures, possibly of different organizations) on one repository each get their own delivery, so the dedup
-- key includes the hook. Redeliveries to the same hook keep their delivery id and stay duplicates; deployment-service
-- still makes one deployment per (procedure, delivery id).
alter table deliveries drop constraint deliveries_pkey;
alter table deliveries add primary key (provider, hook_id, delivery_id);
