-- Stations marked for development take development deployments (benchline dev) by pin; no other station does.
alter table stations add column development boolean not null default false;
