-- The answers of an interactive retrospective not recorded yet, saved as
-- they are given so that a Ctrl-C or a dropped session loses nothing. The
-- text is an answers file (TOML, as `retro --answers` reads and
-- `retro --draft-out` writes). Scratch, not history: no timeline event; the
-- row goes when the retrospective is recorded.
CREATE TABLE retro_drafts (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
    answers     TEXT NOT NULL,
    author      TEXT NOT NULL,
    saved_at    TEXT NOT NULL
) STRICT;
