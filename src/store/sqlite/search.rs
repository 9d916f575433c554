//! The full-text index (`search_docs`, `search_fts`; schema_search.sql):
//! kept by the write primitives in the writing transaction, and searched.

use super::incidents;
use crate::domain::EventKind;
use crate::domain::search::{self, Doc, Hits, Place, Query, Ranking};
use crate::store::ListFilter;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

/// Stores `doc` in place of the text it names: unchanged text is left as
/// it is (an incident is put on every change, its title rarely changes),
/// blank text removes it.
pub fn put(conn: &Connection, doc: &Doc) -> rusqlite::Result<()> {
    let old: Option<(i64, i64, String)> = conn
        .prepare_cached("SELECT id, incident_id, body FROM search_docs WHERE place = ?1 AND of = ?2")?
        .query_row(params![doc.place.as_str(), doc.of], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    if let Some((_, incident, body)) = &old
        && *incident == doc.incident_id
        && *body == doc.text
    {
        return Ok(());
    }
    if let Some((id, _, _)) = &old {
        conn.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?
            .execute([id])?;
        conn.prepare_cached("DELETE FROM search_docs WHERE id = ?1")?
            .execute([id])?;
    }
    if doc.is_blank() {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO search_docs (id, place, of, incident_id, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        old.map(|o| o.0),
        doc.place.as_str(),
        doc.of,
        doc.incident_id,
        doc.text
    ])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO search_fts (rowid, words) VALUES (?1, ?2)")?
        .execute(params![id, search::indexed_words(&doc.text)])?;
    Ok(())
}

/// Stores `doc` of a row just written: indexed at once, without first
/// looking for an older version. One is there only when a number was used
/// before (the newest event deleted by hand, then the number taken again),
/// and then [`put`] replaces it.
pub fn put_new(conn: &Connection, doc: &Doc) -> rusqlite::Result<()> {
    if doc.is_blank() {
        return put(conn, doc);
    }
    let inserted = conn
        .prepare_cached(
            "INSERT INTO search_docs (place, of, incident_id, body) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (place, of) DO NOTHING",
        )?
        .execute(params![doc.place.as_str(), doc.of, doc.incident_id, doc.text])?;
    if inserted == 0 {
        return put(conn, doc);
    }
    let id = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO search_fts (rowid, words) VALUES (?1, ?2)")?
        .execute(params![id, search::indexed_words(&doc.text)])?;
    Ok(())
}

/// Removes the text of `(place, of)`, if indexed.
pub fn remove(conn: &Connection, place: Place, of: i64) -> rusqlite::Result<()> {
    let old: Option<i64> = conn
        .prepare_cached("SELECT id FROM search_docs WHERE place = ?1 AND of = ?2")?
        .query_row(params![place.as_str(), of], |r| r.get(0))
        .optional()?;
    if let Some(id) = old {
        conn.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?
            .execute([id])?;
        conn.prepare_cached("DELETE FROM search_docs WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(())
}

/// The incidents `filter` selects whose text matches, ranked by
/// [`search::Ranking`]: this reads the matches newest first (FTS5 walks its
/// rowids backwards; the filters are checked on the way) and stops where
/// the ranking's bound does, so a word in a million texts costs what a rare
/// one does. FTS5's own `rank` (BM25) is not asked for: its rarity weight
/// reads every text that holds the words, 40 to 140 ms for a word or phrase
/// in most of them, whatever the bound.
///
/// A filter that selects at most [`search::FEW_INCIDENTS`] incidents also
/// bounds the walk from below, at the oldest text of those incidents
/// (`search_docs_by_incident`): the matches are the same, and a common
/// word under `--since 30d` reads a month of them, not the whole record.
pub fn search(conn: &Connection, query: &Query, filter: &ListFilter) -> rusqlite::Result<Hits> {
    let (clauses, filters) = incidents::clauses(filter, "i");
    let conditions: String = clauses.iter().map(|c| format!(" AND {c}")).collect();
    // The values in the order their marks appear in the text.
    let mut values = vec![Value::Text(query.fts5())];
    let mut oldest = String::new();
    if !clauses.is_empty() {
        // One scalar subquery, evaluated once: the smallest rowid of a
        // text of the selected incidents, or 0 (no bound) when they are
        // many; NULL when none is selected, and then nothing matches.
        oldest = format!(
            " AND f.rowid >= (WITH chosen AS (SELECT i.id FROM incidents AS i WHERE 1{conditions} LIMIT ?) \
               SELECT CASE WHEN count(*) > ? THEN 0 ELSE \
                 min((SELECT min(s.id) FROM search_docs AS s WHERE s.incident_id = c.id)) END \
               FROM chosen AS c)"
        );
        values.extend(filters.iter().cloned());
        values.push(Value::Integer(search::FEW_INCIDENTS as i64 + 1));
        values.push(Value::Integer(search::FEW_INCIDENTS as i64));
    }
    values.extend(filters);
    values.push(Value::Integer(
        search::to_read(filter.limit).map_or(-1, |n| n as i64),
    ));
    let sql = format!(
        "SELECT d.incident_id, d.place, d.of, d.body \
         FROM search_fts AS f JOIN search_docs AS d ON d.id = f.rowid \
         JOIN incidents AS i ON i.id = d.incident_id \
         WHERE search_fts MATCH ?{oldest}{conditions} ORDER BY f.rowid DESC LIMIT ?"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    let mut ranking = Ranking::new(query, filter.limit);
    while let Some(row) = rows.next()? {
        let place: String = row.get(1)?;
        let Some(place) = Place::parse(&place) else {
            // A row written by hand, of a place this build does not know.
            continue;
        };
        let text = row.get_ref(3)?.as_str()?;
        if !ranking.offer(row.get(0)?, place, row.get(2)?, text) {
            break;
        }
    }
    Ok(ranking.finish())
}

/// Indexes everything already in the database: the code half of the
/// migration that added the index (schema_search.sql), from the columns
/// that hold text (so no later step's columns are needed, should steps be
/// added before this one), through the same documents the write primitives
/// index.
pub fn backfill(conn: &Connection) -> rusqlite::Result<()> {
    let each = |sql: &str, f: &mut dyn FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>| {
        let mut statement = conn.prepare(sql)?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            f(row)?;
        }
        Ok::<_, rusqlite::Error>(())
    };
    each("SELECT id, title, summary, resolution FROM incidents", &mut |r| {
        let (summary, resolution): (Option<String>, Option<String>) = (r.get(2)?, r.get(3)?);
        let docs = search::incident_fields(
            r.get(0)?,
            &r.get::<_, String>(1)?,
            summary.as_deref(),
            resolution.as_deref(),
        );
        docs.iter().try_for_each(|d| put(conn, d))
    })?;
    let kinds: Vec<String> = EventKind::ALL
        .iter()
        .filter(|k| search::is_written(**k))
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    let entries = format!(
        "SELECT incident_id, id, kind, text FROM events WHERE kind IN ({}) ORDER BY id",
        kinds.join(", ")
    );
    each(&entries, &mut |r| {
        let kind: EventKind = r.get(2)?;
        match search::event_doc(r.get(0)?, r.get(1)?, kind, &r.get::<_, String>(3)?) {
            Some(doc) => put(conn, &doc),
            None => Ok(()),
        }
    })?;
    each(
        "SELECT id, incident_id, impact, sees FROM assessments",
        &mut |r| {
            let text = search::assessment_text(&r.get::<_, String>(2)?, &r.get::<_, String>(3)?);
            put(conn, &Doc::new(Place::Assessment, r.get(0)?, r.get(1)?, text))
        },
    )?;
    each(
        &format!("SELECT {}, incident_id FROM retros", super::retro::RETRO_COLUMNS),
        &mut |r| {
            let docs = search::retro_docs(r.get(10)?, &super::retro::retro_from_row(r)?);
            docs.iter().try_for_each(|d| put(conn, d))
        },
    )?;
    each("SELECT id, incident_id, text, note FROM actions", &mut |r| {
        let note: Option<String> = r.get(3)?;
        let text = search::action_text(&r.get::<_, String>(2)?, note.as_deref());
        put(conn, &Doc::new(Place::ActionItem, r.get(0)?, r.get(1)?, text))
    })?;
    each(
        "SELECT id, incident_id, summary FROM alerts WHERE incident_id IS NOT NULL",
        &mut |r| {
            put(
                conn,
                &Doc::new(Place::Alert, r.get(0)?, r.get(1)?, r.get::<_, String>(2)?),
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts indexed, and the rowids the index finds for `word`.
    fn indexed(conn: &Connection, word: &str) -> (Vec<(String, i64, String)>, Vec<i64>) {
        let docs = conn
            .prepare("SELECT place, of, body FROM search_docs ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let found = conn
            .prepare("SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 ORDER BY rowid")
            .unwrap()
            .query_map([word], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        (docs, found)
    }

    #[test]
    fn a_new_rows_text_replaces_one_left_under_its_number() {
        let conn = super::super::in_memory();
        let doc = |of, text: &str| Doc::new(Place::Entry, of, 1, text);
        put_new(&conn, &doc(7, "disk full on db-3")).unwrap();
        let (docs, found) = indexed(&conn, "disk");
        assert_eq!(
            docs,
            [("timeline".to_string(), 7, "disk full on db-3".to_string())]
        );
        assert_eq!(found.len(), 1);
        // Event 7 deleted by hand, its text left; the number is taken again.
        put_new(&conn, &doc(7, "rolled back deploy 482")).unwrap();
        let (docs, old) = indexed(&conn, "disk");
        assert_eq!(
            docs,
            [("timeline".to_string(), 7, "rolled back deploy 482".to_string())]
        );
        assert_eq!(old, Vec::<i64>::new(), "the old text is no longer found");
        assert_eq!(indexed(&conn, "deploy").1.len(), 1);
        // A blank text of a new row leaves nothing behind either.
        put_new(&conn, &doc(7, "  ")).unwrap();
        assert_eq!(indexed(&conn, "deploy"), (vec![], vec![]));
    }
}
