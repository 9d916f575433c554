-- Schema version 1. Documented in README.md ("The database"); every time is
-- RFC 3339 in UTC at whole seconds ("2026-11-23T08:00:00Z"), so text order is
-- time order.

-- One row per incident: its current state. Its history is in `events`.
CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,          -- the 7 in INC-7
    title          TEXT NOT NULL,
    status         TEXT NOT NULL,                -- investigating|identified|mitigated|resolved|closed
    severity       TEXT NOT NULL,                -- a level name from the configuration, e.g. SEV1
    category       TEXT NOT NULL,                -- availability|performance|regression|security|data|other
    services       TEXT NOT NULL DEFAULT '[]',   -- JSON array of service names
    channels       TEXT NOT NULL DEFAULT '[]',   -- JSON array of chat/bridge links
    summary        TEXT,
    detected_by    TEXT,                         -- monitoring|customer|social|internal|other
    started_at     TEXT,                         -- when impact began, if known
    declared_at    TEXT NOT NULL,
    resolved_at    TEXT,
    closed_at      TEXT,
    resolution     TEXT,                         -- the summary given to `resolve`
    next_update_at TEXT                          -- when the next status update was promised
) STRICT;

-- `list` (open incidents by severity, then age) and `check` read this index.
CREATE INDEX incidents_by_status ON incidents (status, severity, declared_at);

-- Who holds which role now. Past holders are in the timeline.
CREATE TABLE roles (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    role        TEXT NOT NULL,
    person      TEXT NOT NULL,
    since       TEXT NOT NULL,
    PRIMARY KEY (incident_id, role, person)
) STRICT, WITHOUT ROWID;

-- The timeline: append-only. A correction is a new event.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at          TEXT NOT NULL,                   -- when it happened (may be backdated)
    recorded_at TEXT NOT NULL,                   -- when it was written down
    author      TEXT NOT NULL,                   -- who recorded it (--as, INCIDENT_USER, $USER)
    kind        TEXT NOT NULL,                   -- declared, note, status_changed, … (README)
    text        TEXT NOT NULL,
    details     TEXT                             -- JSON object with the structured facts, or NULL
) STRICT;

CREATE INDEX events_by_incident ON events (incident_id, at, id);
