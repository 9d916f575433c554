-- How many events each incident has, kept by every append in the same
-- transaction: `show` says how many earlier entries it left out without
-- counting a long timeline on every call.
ALTER TABLE incidents ADD COLUMN event_count INTEGER NOT NULL DEFAULT 0;

UPDATE incidents SET event_count = (SELECT count(*) FROM events AS e WHERE e.incident_id = incidents.id);
