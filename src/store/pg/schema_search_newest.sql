-- `incident search` ranks only the newest matches of a broad query
-- (domain/search.rs: `bound`), newest by when a text was first indexed,
-- as SQLite's rowid orders them (a new version of a text keeps its place).
-- A query whose words are in much of the record walks this index backwards
-- and stops after the bound, where the GIN index would hand over every
-- match to be sorted. The rows already here are numbered in the order the
-- table holds them; a new one takes the next number as ids do (writers
-- hold the writers' lock), so the application role needs no sequence.
CREATE SEQUENCE search_docs_numbering;
ALTER TABLE search_docs ADD COLUMN seq BIGINT NOT NULL DEFAULT nextval('search_docs_numbering');
CREATE OR REPLACE FUNCTION search_docs_next_seq() RETURNS BIGINT
    LANGUAGE sql AS 'SELECT coalesce(max(seq), 0) + 1 FROM search_docs';
ALTER TABLE search_docs ALTER COLUMN seq SET DEFAULT search_docs_next_seq();
DROP SEQUENCE search_docs_numbering;
CREATE INDEX search_docs_newest ON search_docs (seq);
