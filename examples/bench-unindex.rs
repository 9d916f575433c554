//! Takes the full-text index out of a copy of a database, for
//! `benches/search.sh --cost`: the same binary then writes to it with the
//! index's writes doing nothing, so the two databases time what the index
//! costs a write and nothing else (the binary, the SQLite build, the data
//! and its layout are the same).
//!
//!     bench-unindex DB
//!
//! `search_docs` and `search_fts` become views that hold nothing, with
//! INSTEAD OF triggers that drop what is written to them: the store's
//! statements (look up the old text, delete it, insert the new one) still
//! run, against nothing. Opened with the product's bundled SQLite (FTS5
//! in), since a `sqlite3` shell without FTS5, or older than 3.43, cannot
//! drop a contentless-delete FTS5 table. Not VACUUMed: the other tables'
//! pages stay where they were.

use rusqlite::Connection;

fn main() -> rusqlite::Result<()> {
    let path = std::env::args().nth(1).expect("usage: bench-unindex DB");
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "BEGIN;
         DROP TABLE search_fts;
         DROP TABLE search_docs;
         CREATE VIEW search_docs (id, place, of, incident_id, body) AS
           SELECT 0, '', 0, 0, '' WHERE 0;
         CREATE TRIGGER search_docs_insert INSTEAD OF INSERT ON search_docs BEGIN SELECT 1; END;
         CREATE TRIGGER search_docs_delete INSTEAD OF DELETE ON search_docs BEGIN SELECT 1; END;
         CREATE VIEW search_fts (rowid, words) AS SELECT 0, '' WHERE 0;
         CREATE TRIGGER search_fts_insert INSTEAD OF INSERT ON search_fts BEGIN SELECT 1; END;
         CREATE TRIGGER search_fts_delete INSTEAD OF DELETE ON search_fts BEGIN SELECT 1; END;
         COMMIT;",
    )
}
