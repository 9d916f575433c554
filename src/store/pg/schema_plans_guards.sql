-- PostgreSQL schema version 2, continued (see schema_v1_guards.sql): a
-- change inserted by hand without a number gets one past the highest.
ALTER TABLE changes ALTER COLUMN id SET DEFAULT incident_next_id('changes');
