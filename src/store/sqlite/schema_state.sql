-- Response state kept on the incident, so `stats` reads one row per incident
-- instead of every timeline. Maintained by the store's event append (the
-- earliest time wins, so a backdated entry moves them back), recomputed for
-- imported incidents, and filled in for existing rows by the step's code
-- (`events::fill_milestones`), which applies the rule in Rust.

-- The first commander assignment (`role_assigned`/`role_handover`, role
-- commander): when the acknowledge target was met.
ALTER TABLE incidents ADD COLUMN acknowledged_at TEXT;
-- The first `assessed` event: when the triage target was met.
ALTER TABLE incidents ADD COLUMN triaged_at TEXT;


-- `stats` reads the update history (and severity changes) of many incidents
-- at once: just these kinds, few next to notes, so a partial index.
CREATE INDEX events_for_updates ON events (kind, incident_id, at, id)
  WHERE kind IN ('severity_changed', 'status_update', 'comms');

-- `stats` reads these columns of every incident declared since a time: a
-- covering index, a fifth of the table's size, that also finds the period.
CREATE INDEX incidents_for_stats ON incidents (declared_at, status, severity, category,
  resolved_at, closed_at, acknowledged_at, triaged_at);
