-- Alerts received from monitoring (`incident ingest`, `incident serve`):
-- one row per alert identity, however often its sender repeats it. A row
-- holds the latest of what the sender said and how often; what an alert
-- did to an incident is on that incident's timeline (`alert_attached`,
-- `alert_resolved` events). `labels` is a JSON object no query reads.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    identity TEXT NOT NULL,
    group_key TEXT,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    severity TEXT,
    service TEXT,
    labels TEXT NOT NULL,
    link TEXT,
    starts_at TEXT,
    ends_at TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    times_seen INTEGER NOT NULL,
    incident_id INTEGER REFERENCES incidents (id),
    UNIQUE (source, identity)
);
CREATE INDEX alerts_by_group ON alerts (source, group_key);
CREATE INDEX alerts_by_incident ON alerts (incident_id);
CREATE INDEX alerts_by_status ON alerts (status, last_seen);
