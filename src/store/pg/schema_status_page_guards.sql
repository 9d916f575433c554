-- PostgreSQL schema version 9, continued (see schema_v1_guards.sql): a
-- row inserted by hand without a number gets one past the highest.
ALTER TABLE component_statuses ALTER COLUMN id SET DEFAULT incident_next_id('component_statuses');
ALTER TABLE maintenances ALTER COLUMN id SET DEFAULT incident_next_id('maintenances');
