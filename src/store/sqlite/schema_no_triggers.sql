-- Schema version 9: the stats cache is kept by Rust code in the same
-- transaction as each change (store/sqlite/settled.rs: `insert` and
-- `unsettle`), written once, instead of by triggers. A change made behind
-- the tool's back (the sqlite3 shell) no longer drops a settled row; clear
-- the cache with `DELETE FROM stats_settled; DELETE FROM stats_months;
-- UPDATE incidents SET settled = NULL;` after such an edit.
DROP TRIGGER stats_settled_added;
DROP TRIGGER stats_settled_dropped;
DROP TRIGGER incidents_unsettle;
DROP TRIGGER incidents_deleted_unsettle;
