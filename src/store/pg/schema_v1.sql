-- PostgreSQL schema version 1: the complete schema of the SQLite backend at
-- its version 12 (src/store/sqlite/schema_*.sql), translated. Every time is
-- TEXT in the form the SQLite backend stores ("2026-11-23T08:00:00Z"), not
-- timestamptz: the hash chain hashes that exact text, and export/import
-- carry events verbatim between the two backends. Text columns compare
-- and sort bytewise (COLLATE "C"), as SQLite's do, whatever the database's
-- locale: stored times sort as time only bytewise, and listings must come
-- out in the same order from both backends.

-- The schema version, one row: what `store/pg/migrations.rs` reads first.
CREATE TABLE incident_schema (
    one     BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    version BIGINT NOT NULL
);

-- One row per incident: its current state. Its history is in `events`.
CREATE TABLE incidents (
    id              BIGINT PRIMARY KEY,                 -- the 7 in INC-7
    title           TEXT COLLATE "C" NOT NULL,
    status          TEXT COLLATE "C" NOT NULL,          -- investigating|identified|mitigated|resolved|closed
    severity        TEXT COLLATE "C" NOT NULL,          -- a level name from the configuration
    category        TEXT COLLATE "C" NOT NULL,
    services        TEXT COLLATE "C" NOT NULL DEFAULT '[]', -- JSON array of service names
    channels        TEXT COLLATE "C" NOT NULL DEFAULT '[]', -- JSON array of chat/bridge links
    summary         TEXT COLLATE "C",
    detected_by     TEXT COLLATE "C",
    started_at      TEXT COLLATE "C",
    declared_at     TEXT COLLATE "C" NOT NULL,
    resolved_at     TEXT COLLATE "C",
    closed_at       TEXT COLLATE "C",
    resolution      TEXT COLLATE "C",
    next_update_at  TEXT COLLATE "C",
    uid             TEXT COLLATE "C",                   -- a random UUID: the identity across databases
    head            TEXT COLLATE "C",                   -- the hash of the newest event
    acknowledged_at TEXT COLLATE "C",                   -- the first commander assignment
    triaged_at      TEXT COLLATE "C",                   -- the first `assessed` event
    event_count     BIGINT NOT NULL DEFAULT 0,
    settled         BIGINT                              -- the targets key of its stats_settled row
);
CREATE INDEX incidents_by_status ON incidents (status, severity, declared_at);
CREATE UNIQUE INDEX incidents_by_uid ON incidents (uid);
CREATE INDEX incidents_by_severity ON incidents (severity, declared_at);
CREATE INDEX incidents_unsettled ON incidents (settled, declared_at);

-- Who holds which role now. Past holders are in the timeline.
CREATE TABLE roles (
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    role        TEXT COLLATE "C" NOT NULL,
    person      TEXT COLLATE "C" NOT NULL,
    since       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (incident_id, role, person)
);

-- The timeline: append-only. A correction is a new event. The trigger
-- `events_append_only` (schema_v1_guards.sql) refuses every UPDATE,
-- DELETE and TRUNCATE.
CREATE TABLE events (
    id          BIGINT PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    at          TEXT COLLATE "C" NOT NULL,              -- when it happened (may be backdated)
    recorded_at TEXT COLLATE "C" NOT NULL,              -- when it was written down
    author      TEXT COLLATE "C" NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL,
    text        TEXT COLLATE "C" NOT NULL,
    details     TEXT COLLATE "C",                       -- JSON object, or NULL
    prev_hash   TEXT COLLATE "C",                       -- the previous event's hash ('' for the first)
    hash        TEXT COLLATE "C",                       -- SHA-256 of this event chained to it
    seq         BIGINT                                  -- the order events arrived in this database
);
CREATE INDEX events_by_incident ON events (incident_id, at, id);
CREATE UNIQUE INDEX events_by_seq ON events (seq);
-- `stats` reads the update history of many incidents at once.
CREATE INDEX events_for_updates ON events (kind, incident_id, at, id)
  WHERE kind IN ('severity_changed', 'status_update', 'comms');
-- An incident's latest status or severity change. `events::latest` spells
-- the same list (CHANGE_KINDS), as the planner needs.
CREATE INDEX events_for_changes ON events (incident_id, at, id)
  WHERE kind IN ('status_changed', 'resolved', 'reopened', 'closed', 'canceled', 'marked_duplicate',
                 'severity_changed');

-- Triage assessments, append-only: the current one has the highest id.
CREATE TABLE assessments (
    id                BIGINT PRIMARY KEY,
    incident_id       BIGINT NOT NULL REFERENCES incidents (id),
    event_id          BIGINT NOT NULL REFERENCES events (id),  -- its `assessed` event
    at                TEXT COLLATE "C" NOT NULL,
    author            TEXT COLLATE "C" NOT NULL,
    impact            TEXT COLLATE "C" NOT NULL,
    sees              TEXT COLLATE "C" NOT NULL,
    customers         TEXT COLLATE "C" NOT NULL,
    impact_started_at TEXT COLLATE "C" NOT NULL,
    tickets           BIGINT NOT NULL,
    factors           TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    checked           TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    suggested         TEXT COLLATE "C" NOT NULL,
    reason            TEXT COLLATE "C" NOT NULL,
    severity          TEXT COLLATE "C" NOT NULL
);
CREATE INDEX assessments_by_incident ON assessments (incident_id, id);

-- The retrospective, one row per incident that has one.
CREATE TABLE retros (
    incident_id  BIGINT PRIMARY KEY REFERENCES incidents (id),
    impact       TEXT COLLATE "C",
    whys         TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    root_cause   TEXT COLLATE "C",
    contributing TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    went_well    TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    went_badly   TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    lucky        TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    no_actions   TEXT COLLATE "C",
    created_at   TEXT COLLATE "C" NOT NULL,
    updated_at   TEXT COLLATE "C" NOT NULL
);

-- Follow-up action items (A-1, A-2, …), across all incidents.
CREATE TABLE actions (
    id          BIGINT PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    text        TEXT COLLATE "C" NOT NULL,
    owner       TEXT COLLATE "C" NOT NULL,
    due         TEXT COLLATE "C" NOT NULL,              -- YYYY-MM-DD
    kind        TEXT COLLATE "C" NOT NULL,
    status      TEXT COLLATE "C" NOT NULL DEFAULT 'open',
    created_at  TEXT COLLATE "C" NOT NULL,
    done_at     TEXT COLLATE "C",
    note        TEXT COLLATE "C",
    link        TEXT COLLATE "C"
);
CREATE INDEX actions_by_status ON actions (status, due);
CREATE INDEX actions_by_incident ON actions (incident_id, id);

-- The unrecorded answers of an interactive retrospective: scratch.
CREATE TABLE retro_drafts (
    incident_id BIGINT PRIMARY KEY REFERENCES incidents (id),
    answers     TEXT COLLATE "C" NOT NULL,
    author      TEXT COLLATE "C" NOT NULL,
    saved_at    TEXT COLLATE "C" NOT NULL
);

-- The `stats` cache (see store/pg/settled.rs): kept by the store's code in
-- the same transaction as each change, no triggers.
CREATE TABLE stats_settled (
    incident_id         BIGINT PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    targets             BIGINT NOT NULL,
    declared_at         TEXT COLLATE "C" NOT NULL,
    severity            TEXT COLLATE "C" NOT NULL,
    category            TEXT COLLATE "C" NOT NULL,
    acknowledge_seconds BIGINT,
    resolve_seconds     BIGINT,
    tallies             TEXT COLLATE "C" NOT NULL
);
CREATE INDEX stats_settled_by_time ON stats_settled (targets, declared_at);

CREATE TABLE stats_months (
    targets BIGINT NOT NULL,
    month   TEXT COLLATE "C" NOT NULL,                  -- YYYY-MM
    summary TEXT COLLATE "C",
    PRIMARY KEY (targets, month)
);
