-- PostgreSQL schema version 3, continued (see schema_v1_guards.sql): an
-- alert inserted by hand without a number gets one past the highest.
ALTER TABLE alerts ALTER COLUMN id SET DEFAULT incident_next_id('alerts');
