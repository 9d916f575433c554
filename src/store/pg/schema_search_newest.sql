-- `incident search` ranks only the newest matches of a broad query
-- (domain/search.rs: `bound`), newest by when a text was first indexed,
-- as SQLite's rowid orders them (a new version of a text keeps its place).
-- A query whose words are in much of the record walks this index backwards
-- and stops after the bound, where the GIN index would hand over every
-- match to be sorted. The rows already here are numbered in the order the
-- table holds them.
ALTER TABLE search_docs ADD COLUMN seq BIGSERIAL;
CREATE INDEX search_docs_newest ON search_docs (seq);
