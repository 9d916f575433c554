-- Full-text search (`incident search`). `search_docs` holds each indexed
-- piece of text once, as written, named by where it lives (`place`) and
-- the number of what it belongs to (`of`), for the hit and its snippet;
-- `search_fts` is the FTS5 index over the same rows by rowid. The index is
-- given the words Rust cut the text into (domain/search.rs), not the text:
-- it is contentless (no second copy of anything), and `contentless_delete`
-- lets a new version of a text replace the old one by rowid. Both are kept
-- by the store's write primitives in the writing transaction (no
-- triggers: see schema_no_triggers.sql); the rows already in the database
-- are indexed by this step's code (store/sqlite/search.rs: `backfill`).
-- No foreign key to incidents: the rows are derived, and a search joins
-- incidents, so a row left by a hand edit (an incident deleted in the
-- sqlite3 shell or psql) is never shown, and does not stop that edit.
CREATE TABLE search_docs (
    id          INTEGER PRIMARY KEY,
    place       TEXT NOT NULL,
    of          INTEGER NOT NULL,
    incident_id INTEGER NOT NULL,
    body        TEXT NOT NULL,
    UNIQUE (place, of)
);
CREATE VIRTUAL TABLE search_fts USING fts5(
    words,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
