-- What `stats` keeps of closed incidents, so a report over years reads a
-- summary per month instead of evaluating every incident. A cache, derived
-- from the incidents and their timelines and never exported: each row is
-- keyed by the configured targets it was computed with (`targets`, see
-- `model::stats::targets_key`), and the triggers below drop an incident's
-- row whenever the incident changes, in the same transaction.

-- The targets key of the incident's row in stats_settled, if it has one.
ALTER TABLE incidents ADD COLUMN settled INTEGER;
-- Finds the incidents `stats` must still evaluate: not settled, or settled
-- under other targets.
CREATE INDEX incidents_unsettled ON incidents (settled, declared_at);
-- `stats` no longer reads every incident of its period, so the covering
-- index it read them through only costs space (a twentieth of the file).
DROP INDEX incidents_for_stats;

-- One closed incident whose targets are all met or missed for good.
CREATE TABLE stats_settled (
    incident_id         INTEGER PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    targets             INTEGER NOT NULL,
    declared_at         TEXT NOT NULL,
    severity            TEXT NOT NULL,
    category            TEXT NOT NULL,
    acknowledge_seconds INTEGER,            -- declared to first commander
    resolve_seconds     INTEGER,            -- declared to resolved
    -- [[on time, late, missed] per target], targets in the order
    -- acknowledge, triage, update, remediate, retro
    tallies             TEXT NOT NULL
) STRICT;
CREATE INDEX stats_settled_by_time ON stats_settled (targets, declared_at);

-- The settled incidents of one month (UTC, by declaration) added up by
-- severity and category, as JSON; NULL when a change made it stale, and
-- `stats` adds it up again.
CREATE TABLE stats_months (
    targets INTEGER NOT NULL,
    month   TEXT NOT NULL,                  -- YYYY-MM
    summary TEXT,
    PRIMARY KEY (targets, month)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER stats_settled_added AFTER INSERT ON stats_settled BEGIN
    INSERT INTO stats_months (targets, month, summary)
        VALUES (NEW.targets, substr(NEW.declared_at, 1, 7), NULL)
        ON CONFLICT (targets, month) DO UPDATE SET summary = NULL;
    UPDATE incidents SET settled = NEW.targets WHERE id = NEW.incident_id;
END;

CREATE TRIGGER stats_settled_dropped AFTER DELETE ON stats_settled BEGIN
    UPDATE stats_months SET summary = NULL
        WHERE targets = OLD.targets AND month = substr(OLD.declared_at, 1, 7);
    UPDATE incidents SET settled = NULL WHERE id = OLD.incident_id;
END;

-- Every change to an incident touches one of these columns (each appended
-- event counts in event_count), so a settled incident that changes is
-- evaluated afresh.
CREATE TRIGGER incidents_unsettle AFTER UPDATE OF status, severity, category, declared_at,
    resolved_at, closed_at, acknowledged_at, triaged_at, event_count ON incidents
    WHEN OLD.settled IS NOT NULL BEGIN
    DELETE FROM stats_settled WHERE incident_id = OLD.id;
END;

-- The foreign key's cascade does the same, but only where foreign keys are
-- on: the sqlite3 shell leaves them off.
CREATE TRIGGER incidents_deleted_unsettle AFTER DELETE ON incidents BEGIN
    DELETE FROM stats_settled WHERE incident_id = OLD.id;
END;
