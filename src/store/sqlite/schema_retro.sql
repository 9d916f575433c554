-- The retrospective and its follow-up action items. Documented in README.md
-- ("The database"). Lists are JSON arrays of strings, like `services`.

-- One row per incident that has a retrospective. Every change to it is also a
-- `retro_updated` event on the incident's timeline.
CREATE TABLE retros (
    incident_id  INTEGER PRIMARY KEY REFERENCES incidents (id),
    impact       TEXT,                          -- impact on customers and the business
    whys         TEXT NOT NULL DEFAULT '[]',    -- the five whys, in order
    root_cause   TEXT,
    contributing TEXT NOT NULL DEFAULT '[]',    -- contributing factors
    went_well    TEXT NOT NULL DEFAULT '[]',
    went_badly   TEXT NOT NULL DEFAULT '[]',
    lucky        TEXT NOT NULL DEFAULT '[]',    -- where we got lucky
    no_actions   TEXT,                          -- why it was completed without action items
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

-- Follow-up action items (A-1, A-2, …), across all incidents.
CREATE TABLE actions (
    id          INTEGER PRIMARY KEY,            -- the 3 in A-3
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    text        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    due         TEXT NOT NULL,                  -- a calendar day, YYYY-MM-DD
    kind        TEXT NOT NULL,                  -- detective|preventive|corrective
    status      TEXT NOT NULL DEFAULT 'open',   -- open|done
    created_at  TEXT NOT NULL,
    done_at     TEXT,
    note        TEXT,                           -- what `action done --note` said
    link        TEXT                            -- the ticket in the team's tracker
) STRICT;

-- `action list --open`, `--overdue` and `check` read this index.
CREATE INDEX actions_by_status ON actions (status, due);
CREATE INDEX actions_by_incident ON actions (incident_id, id);
