-- A search whose filter selects few incidents (`--since 30d`, one
-- service) reads those incidents' texts (store/pg/search.rs), found
-- through this index, instead of every match of a common word.
CREATE INDEX search_docs_by_incident ON search_docs (incident_id);
