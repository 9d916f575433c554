-- PostgreSQL schema version 2: playbooks, drills, tags and change events
-- (the SQLite backend's version 13, src/store/sqlite/schema_plans.sql).
-- Whether an incident is a drill and its tags are kept on the incident for
-- filtering, and come from its events (`verify` checks that they agree).
ALTER TABLE incidents ADD COLUMN drill BOOLEAN NOT NULL DEFAULT false;

-- An incident's tags, one value per key.
CREATE TABLE incident_tags (
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    tag_key     TEXT COLLATE "C" NOT NULL,
    tag_value   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (incident_id, tag_key)
);
CREATE INDEX incident_tags_by_tag ON incident_tags (tag_key, tag_value);

-- Changes recorded from CI (`incident change`): deploys, configuration,
-- flags, infrastructure. They belong to no incident; `declare` copies the
-- recent ones on its services into the incident's timeline.
CREATE TABLE changes (
    id          BIGINT PRIMARY KEY,
    at          TEXT COLLATE "C" NOT NULL,
    recorded_at TEXT COLLATE "C" NOT NULL,
    author      TEXT COLLATE "C" NOT NULL,
    title       TEXT COLLATE "C" NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL,            -- deploy|config|flag|infra
    services    TEXT COLLATE "C" NOT NULL DEFAULT '[]', -- JSON array, like incidents.services
    link        TEXT COLLATE "C"
);
CREATE INDEX changes_by_at ON changes (at);

-- The retrospective's trigger and lead-up (`trigger` is an SQL keyword).
ALTER TABLE retros ADD COLUMN triggered_by TEXT COLLATE "C";
ALTER TABLE retros ADD COLUMN lead_up TEXT COLLATE "C";

-- An incident's playbook checklist and recent changes (`events::of_kinds`)
-- without walking its timeline: these kinds are a handful next to notes.
-- `events::PLAN_KINDS` spells the same list.
CREATE INDEX events_for_plans ON events (incident_id, at, id)
  WHERE kind IN ('playbook_attached', 'task_done', 'task_skipped', 'recent_changes');
