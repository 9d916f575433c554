-- Schema version 2: stable identities and the tamper-evident timeline.
-- Existing rows are filled in by the migration's code step (uids, hashes).

-- A random UUID: the incident's identity across databases (export/import).
ALTER TABLE incidents ADD COLUMN uid TEXT;
-- The hash of the incident's newest event: deleting the latest events shows.
ALTER TABLE incidents ADD COLUMN head TEXT;
-- SHA-256 (hex) of the previous event of the same incident ('' for the first)
-- and of this event's content chained to it. See src/model/chain.rs.
ALTER TABLE events ADD COLUMN prev_hash TEXT;
ALTER TABLE events ADD COLUMN hash TEXT;

CREATE UNIQUE INDEX incidents_by_uid ON incidents (uid);
