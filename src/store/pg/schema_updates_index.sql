-- `events_for_updates` led with `kind`, as on SQLite, which probes each
-- kind of the list for one incident. PostgreSQL instead drops a condition
-- the index's predicate already implies (the kinds) and, having no skip
-- scan, read the whole index to find one incident's updates: 25 ms for
-- `show` at 100,000 incidents (BENCHMARKS.md). Led by the incident, as
-- `events_for_changes` and `events_for_plans` are, it finds them directly,
-- and still serves `stats`, which reads them in incident order.
DROP INDEX events_for_updates;
CREATE INDEX events_for_updates ON events (incident_id, at, id)
  WHERE kind IN ('severity_changed', 'status_update', 'comms');
