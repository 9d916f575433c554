-- Schema version 15: the stats cache keeps each settled incident's time to
-- detect (declared minus start of impact, see `domain::stats::Settled`),
-- so `stats` over a long period reads the cache and not the start of
-- impact of every incident.
ALTER TABLE stats_settled ADD COLUMN detect_seconds INTEGER;  -- start of impact to declared

-- The rows settled before this step have no time to detect, and NULL here
-- means "no start of impact known": they cannot tell the two apart, and the
-- month summaries were added up without it. The cache is derived and never
-- exported, so it is cleared (as schema_no_triggers.sql says to after a
-- hand edit); the next `stats` settles the closed incidents again through
-- the domain's rules.
DELETE FROM stats_settled;
DELETE FROM stats_months;
UPDATE incidents SET settled = NULL WHERE settled IS NOT NULL;
