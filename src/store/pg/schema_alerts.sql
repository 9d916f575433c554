-- PostgreSQL schema version 3: alerts from monitoring (the SQLite backend's
-- version 14, src/store/sqlite/schema_alerts.sql): one row per alert
-- identity, however often its sender repeats it. What an alert did to an
-- incident is on that incident's timeline; `labels` is a JSON object no
-- query reads.
CREATE TABLE alerts (
    id          BIGINT PRIMARY KEY,
    source      TEXT COLLATE "C" NOT NULL,              -- alertmanager|grafana|pagerduty|generic
    identity    TEXT COLLATE "C" NOT NULL,
    group_key   TEXT COLLATE "C",
    status      TEXT COLLATE "C" NOT NULL,              -- firing|resolved
    summary     TEXT COLLATE "C" NOT NULL,
    severity    TEXT COLLATE "C",
    service     TEXT COLLATE "C",
    labels      TEXT COLLATE "C" NOT NULL,
    link        TEXT COLLATE "C",
    starts_at   TEXT COLLATE "C",
    ends_at     TEXT COLLATE "C",
    first_seen  TEXT COLLATE "C" NOT NULL,
    last_seen   TEXT COLLATE "C" NOT NULL,
    times_seen  BIGINT NOT NULL,
    incident_id BIGINT REFERENCES incidents (id),
    UNIQUE (source, identity)
);
CREATE INDEX alerts_by_group ON alerts (source, group_key);
CREATE INDEX alerts_by_incident ON alerts (incident_id);
CREATE INDEX alerts_by_status ON alerts (status, last_seen);
