-- A search whose filter selects few incidents (`--since 30d`, one
-- service) starts at the oldest text of those incidents
-- (store/sqlite/search.rs): found through this index, one look-up per
-- incident, instead of reading every match of a common word.
CREATE INDEX search_docs_by_incident ON search_docs (incident_id);
