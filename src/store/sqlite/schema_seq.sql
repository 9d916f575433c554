-- The order events arrived in this database (an import's events arrive
-- when imported, whatever their numbers), for `incident checkpoint`.
ALTER TABLE events ADD COLUMN seq INTEGER;
UPDATE events SET seq = id;
CREATE UNIQUE INDEX events_by_seq ON events (seq);
