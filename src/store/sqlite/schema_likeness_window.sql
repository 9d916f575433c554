-- `show` and `declare` compare an incident with the 500 before it by their
-- prints (store/sqlite/incidents.rs, `each_likeness`). This index holds
-- exactly the columns that reads, in number order, so the 500 come from
-- about 16 small pages read in order instead of the 70 that hold the
-- incidents' whole rows. SQLite keeps it, and writes it only when one of
-- its columns changes: a declare, a new status, an edit of the words.
CREATE INDEX incidents_likeness ON incidents (id, declared_at, status, drill, likeness);
