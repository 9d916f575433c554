-- PostgreSQL schema version 8, continued (see schema_v1_guards.sql): an
-- override inserted by hand without a number gets one past the highest.
ALTER TABLE overrides ALTER COLUMN id SET DEFAULT incident_next_id('overrides');
