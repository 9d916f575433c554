-- Schema version 17: notifications delivered from the record.
--
-- The timeline is the outbox: each destination of `[[notify]]` keeps here
-- where its delivery stands (`domain::notify::Delivery`): the arrival
-- number (`events.seq`) of the last event it handled, who is delivering
-- it until when (a lease, so two deliverers never send one event twice),
-- and how it is failing.
CREATE TABLE deliveries (
    destination     TEXT PRIMARY KEY,
    cursor          INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_success_at TEXT,
    last_error      TEXT,
    failing_since   TEXT,
    parked          TEXT,
    delivered       INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The chat room a destination opened for an incident, and the topic it
-- last set there.
CREATE TABLE rooms (
    destination TEXT NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    room        TEXT NOT NULL,
    link        TEXT NOT NULL,
    topic       TEXT,
    PRIMARY KEY (destination, incident_id)
) STRICT;

-- Chat messages recorded on a timeline, by the chat's own id for them
-- (`matrix:$event`), so a message read twice is recorded once.
CREATE TABLE chat_seen (
    source   TEXT PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id)
) STRICT;
