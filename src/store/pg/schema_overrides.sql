-- PostgreSQL schema version 8 (the SQLite backend's version 18,
-- src/store/sqlite/schema_overrides.sql): on-call overrides.
CREATE TABLE overrides (
    id         BIGINT PRIMARY KEY,
    schedule   TEXT COLLATE "C" NOT NULL,
    layer      TEXT COLLATE "C" NOT NULL,
    person     TEXT COLLATE "C" NOT NULL,
    starts_at  TEXT COLLATE "C" NOT NULL,
    ends_at    TEXT COLLATE "C" NOT NULL,
    created_by TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX overrides_by_schedule ON overrides (schedule, ends_at);
