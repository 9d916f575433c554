-- The alerts an incident was tied to are its `alert_attached` events
-- (similar incidents compare them): found through this partial index,
-- not by reading the incident's whole timeline (10,000 notes for a long
-- incident, on every `show`).
CREATE INDEX events_for_alerts ON events (incident_id, at, id) WHERE kind IN ('alert_attached');
