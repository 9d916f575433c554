-- A new alert of a group joins the incident of the group's most recently
-- seen alert that belongs to one: `alerts_by_group` found every alert of
-- the group and sorted them, for every new alert, so the look-up grew with
-- the group (0.13 ms at 4,000 alerts in 10 groups, 2 ms at 10,000:
-- BENCHMARKS.md). This index answers it with one step, however many alerts
-- the group has. Every look-up by group is this one, so the old index
-- goes: left beside it, the planner took it whenever its statistics had
-- not caught up with a growing table.
CREATE INDEX alerts_group_latest ON alerts (source, group_key, last_seen DESC, id DESC)
  WHERE incident_id IS NOT NULL;
DROP INDEX alerts_by_group;
