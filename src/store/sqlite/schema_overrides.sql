-- Schema version 18: on-call overrides. Someone taking a schedule
-- layer's shifts from one moment to another, with who arranged it and
-- when (`domain::oncall::Override`); the schedules themselves live in the
-- configuration. Times are RFC 3339 text, as everywhere.
CREATE TABLE overrides (
    id         INTEGER PRIMARY KEY,
    schedule   TEXT NOT NULL,
    layer      TEXT NOT NULL,
    person     TEXT NOT NULL,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX overrides_by_schedule ON overrides (schedule, ends_at);
