-- Plans and context. Whether an incident is a drill and its tags are
-- facts of its events (the declaration and `edited` tag events); they are
-- kept here, upkept by the write path, so listings and metrics can filter
-- on them without reading timelines.
ALTER TABLE incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;

CREATE TABLE incident_tags (
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  tag_key     TEXT NOT NULL,
  tag_value   TEXT NOT NULL,
  PRIMARY KEY (incident_id, tag_key)
);
CREATE INDEX incident_tags_by_tag ON incident_tags (tag_key, tag_value);

-- Changes recorded by CI (`incident change`), not tied to an incident.
-- `services` is a JSON array of names, like incidents.services.
CREATE TABLE changes (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  author      TEXT NOT NULL,
  title       TEXT NOT NULL,
  kind        TEXT NOT NULL,
  services    TEXT NOT NULL DEFAULT '[]',
  link        TEXT
);
CREATE INDEX changes_by_at ON changes (at);

-- The retrospective's trigger and lead-up (the `trigger` and `lead_up`
-- fields; `trigger` is an SQL keyword, hence the column's name).
ALTER TABLE retros ADD COLUMN triggered_by TEXT;
ALTER TABLE retros ADD COLUMN lead_up TEXT;

-- An incident's playbook checklist and recent changes (`events::of_kinds`)
-- without walking its timeline: these kinds are a handful next to notes.
-- `events::PLAN_KINDS` spells the same list: the planner uses a partial
-- index only for a condition written like its own.
CREATE INDEX events_for_plans ON events (incident_id, at, id)
  WHERE kind IN ('playbook_attached', 'task_done', 'task_skipped', 'recent_changes');
