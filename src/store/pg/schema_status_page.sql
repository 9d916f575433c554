-- PostgreSQL schema version 9 (the SQLite backend's version 19,
-- src/store/sqlite/schema_status_page.sql): component statuses set by
-- hand, and scheduled maintenance.
CREATE TABLE component_statuses (
    id        BIGINT PRIMARY KEY,
    component TEXT COLLATE "C" NOT NULL,
    status    TEXT COLLATE "C",
    set_by    TEXT COLLATE "C" NOT NULL,
    set_at    TEXT COLLATE "C" NOT NULL
);
CREATE TABLE maintenances (
    id         BIGINT PRIMARY KEY,
    title      TEXT COLLATE "C" NOT NULL,
    services   TEXT COLLATE "C" NOT NULL,
    starts_at  TEXT COLLATE "C" NOT NULL,
    ends_at    TEXT COLLATE "C" NOT NULL,
    created_by TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX maintenances_by_end ON maintenances (ends_at);
