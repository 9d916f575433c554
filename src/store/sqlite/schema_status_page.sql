-- Schema version 19: the status page. A component's status set by hand
-- (`status-page set`; a NULL status hands it back to the record), every
-- setting kept, the latest of a component's winning; and scheduled
-- maintenance (`incident maintenance`). Times are RFC 3339 text, as
-- everywhere; a maintenance's services a JSON list.
CREATE TABLE component_statuses (
    id        INTEGER PRIMARY KEY,
    component TEXT NOT NULL,
    status    TEXT,
    set_by    TEXT NOT NULL,
    set_at    TEXT NOT NULL
) STRICT;
CREATE TABLE maintenances (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    services   TEXT NOT NULL,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX maintenances_by_end ON maintenances (ends_at);
