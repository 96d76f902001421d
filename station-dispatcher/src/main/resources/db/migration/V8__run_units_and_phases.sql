-- The unit a run tests and, for a TofuPilot-format procedure, each phase's outcome (JSON array, see StationRun).
alter table run_requests add column serial_number text;
alter table runs add column serial_number text, add column phases text;
