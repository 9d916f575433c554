-- Each incident's words and services as numbers (domain/similar.rs,
-- `Print`), written with the incident: `show` and `declare` compare an
-- incident with the 500 before it by these, without reading and splitting
-- 500 titles and summaries. NULL, or another version's: made again from
-- the texts when read. Filled for every incident by the step's code.
ALTER TABLE incidents ADD COLUMN likeness bytea;
