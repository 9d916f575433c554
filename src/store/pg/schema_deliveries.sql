-- PostgreSQL schema version 7 (the SQLite backend's version 17,
-- src/store/sqlite/schema_deliveries.sql): notifications delivered from
-- the record.
--
-- The timeline is the outbox: each destination of `[[notify]]` keeps here
-- where its delivery stands (`domain::notify::Delivery`): the arrival
-- number (`events.seq`) of the last event it handled, who is delivering
-- it until when (a lease, so two deliverers never send one event twice),
-- and how it is failing.
CREATE TABLE deliveries (
    destination     TEXT COLLATE "C" PRIMARY KEY,
    cursor          BIGINT NOT NULL,
    lease_owner     TEXT COLLATE "C",
    lease_until     TEXT COLLATE "C",
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT COLLATE "C",
    last_success_at TEXT COLLATE "C",
    last_error      TEXT COLLATE "C",
    failing_since   TEXT COLLATE "C",
    parked          TEXT COLLATE "C",
    delivered       BIGINT NOT NULL DEFAULT 0
);

-- The chat room a destination opened for an incident, and the topic it
-- last set there.
CREATE TABLE rooms (
    destination TEXT COLLATE "C" NOT NULL,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    room        TEXT COLLATE "C" NOT NULL,
    link        TEXT COLLATE "C" NOT NULL,
    topic       TEXT COLLATE "C",
    PRIMARY KEY (destination, incident_id)
);

-- Chat messages recorded on a timeline, by the chat's own id for them
-- (`matrix:$event`), so a message read twice is recorded once.
CREATE TABLE chat_seen (
    source   TEXT COLLATE "C" PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id)
);
