-- Full-text search (`incident search`): each indexed piece of text once,
-- as written, named by where it lives (`place`) and the number of what it
-- belongs to (`of`), with its words as a tsvector under a GIN index. The
-- tsvector is built by Rust from the same words the SQLite index is given
-- (domain/search.rs), not by to_tsvector: a word is the same word on both
-- backends. Kept by the store's write primitives in the writing
-- transaction (no triggers); the rows already here are indexed by this
-- step's code (store/pg/search.rs: `backfill`).
-- No foreign key to incidents: the rows are derived, and a search joins
-- incidents, so a row left by a hand edit (an incident deleted in the
-- sqlite3 shell or psql) is never shown, and does not stop that edit.
CREATE TABLE search_docs (
    place       TEXT COLLATE "C" NOT NULL,
    of          BIGINT NOT NULL,
    incident_id BIGINT NOT NULL,
    body        TEXT NOT NULL,
    words       TSVECTOR NOT NULL,
    PRIMARY KEY (place, of)
);
CREATE INDEX search_docs_words ON search_docs USING GIN (words);
