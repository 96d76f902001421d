-- The unit a run tested and each phase's outcome (JSON array, station.runs' phases), for TofuPilot-format procedures.
alter table runs add column serial_number text, add column phases text;
