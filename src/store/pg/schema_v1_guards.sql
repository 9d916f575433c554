-- PostgreSQL schema version 1, continued: what guards the tables and serves
-- hand edits rather than holds data.

-- The timeline is append-only: the trigger `events_append_only` refuses
-- every UPDATE and DELETE of an event, and `events_append_only_truncate`
-- a TRUNCATE. The tool itself only ever inserts events (import too).
CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the timeline is append-only: % on events is refused (a correction is a new event)', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();
CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION incident_events_append_only();

-- A row inserted by hand (psql) without a number gets one past the
-- highest, as SQLite numbers a row inserted without one. The tool always
-- gives the number itself, allocated under the writers' lock, and never
-- from a sequence (which would leave gaps on rollback).
CREATE FUNCTION incident_next_id(tab regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    number bigint;
BEGIN
    EXECUTE format('SELECT coalesce(max(id), 0) + 1 FROM %s', tab) INTO number;
    RETURN number;
END
$$;
ALTER TABLE incidents ALTER COLUMN id SET DEFAULT incident_next_id('incidents');
ALTER TABLE events ALTER COLUMN id SET DEFAULT incident_next_id('events');
ALTER TABLE assessments ALTER COLUMN id SET DEFAULT incident_next_id('assessments');
ALTER TABLE actions ALTER COLUMN id SET DEFAULT incident_next_id('actions');
