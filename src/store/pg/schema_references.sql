-- PostgreSQL schema version 6 (the SQLite backend's version 16): references that stay right across imports, and alert
-- rows that show when they were changed behind the tool's back.
--
-- An event names other incidents, alerts and action items by number (a
-- duplicate's primary, the alerts tied in, the item it finished). When an import gives one of them another
-- number here, the event cannot change (its bytes are chained), so what it
-- names is kept beside it: `numbers` is a JSON object
-- {"incidents": {"3": 4}, "alerts": {"2": 5}, "actions": {"1": 2}} (number
-- named: number here, 0 for what the import did not carry), for the names
-- that differ (`domain::refs::Renumbering`). Written once, with the event.
CREATE TABLE renumbered (
    event_id BIGINT PRIMARY KEY REFERENCES events (id),
    numbers  TEXT NOT NULL
);

-- The digest of everything recorded of an alert but its number
-- (`Alert::seal`), written with the row; `verify` recomputes it. Filled in
-- for the rows already here by the step's code.
ALTER TABLE alerts ADD COLUMN seal TEXT;
