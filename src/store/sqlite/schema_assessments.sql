-- Triage assessments (`incident assess`). Documented in README.md
-- ("The database"). Append-only: a later assessment supersedes the earlier
-- one (the current one has the highest id); both stay, as does the
-- `assessed` event each was recorded with.
CREATE TABLE assessments (
    id                INTEGER PRIMARY KEY,
    incident_id       INTEGER NOT NULL REFERENCES incidents (id),
    event_id          INTEGER NOT NULL REFERENCES events (id),  -- its `assessed` event
    at                TEXT NOT NULL,                   -- when it was recorded
    author            TEXT NOT NULL,                   -- who assessed
    impact            TEXT NOT NULL,                   -- the impact on customers
    sees              TEXT NOT NULL,                   -- what customers see
    customers         TEXT NOT NULL,                   -- none|some|all|unknown
    impact_started_at TEXT NOT NULL,                   -- when the impact started
    tickets           INTEGER NOT NULL,                -- support tickets raised
    factors           TEXT NOT NULL DEFAULT '[]',      -- JSON array: public, security, data-loss
    checked           TEXT NOT NULL DEFAULT '[]',      -- JSON array of checklist ids, e.g. ["C3","A1"]
    suggested         TEXT NOT NULL,                   -- the level the rule suggested
    reason            TEXT NOT NULL,                   -- why: "SEV1 because C3 is checked"
    severity          TEXT NOT NULL                    -- the level chosen
) STRICT;

CREATE INDEX assessments_by_incident ON assessments (incident_id, id);
