-- An incident's latest status or severity change (what a backdated change
-- is checked against, and a duplicate's primary) without walking its whole
-- timeline: these kinds are few next to notes. `events::latest` spells the
-- same list (CHANGE_KINDS): the planner uses a partial index only for a
-- condition written like its own.
CREATE INDEX events_for_changes ON events (incident_id, at, id)
  WHERE kind IN ('status_changed', 'resolved', 'reopened', 'closed', 'canceled', 'marked_duplicate',
                 'severity_changed');
