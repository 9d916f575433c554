//! The full-text index (`search_docs`, `search_fts`; schema_search.sql):
//! kept by the write primitives in the writing transaction, and searched.

use super::incidents;
use crate::domain::EventKind;
use crate::domain::search::{self, Doc, Hit, Hits, Place, Query};
use crate::store::{ActionFilter, AlertFilter, ListFilter, Of, Order};
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

/// The incidents `filter` selects whose text matches, best first: FTS5's
/// `rank` (BM25; lower is better), each incident by its best piece, ties
/// to the newer incident. The window functions number each incident's
/// pieces and count them before the limit, so one statement gives the
/// page and the total.
pub fn search(conn: &Connection, query: &Query, filter: &ListFilter) -> rusqlite::Result<Hits> {
    let (clauses, filters) = incidents::clauses(filter, "i");
    let conditions: String = clauses.iter().map(|c| format!(" AND {c}")).collect();
    let mut values = vec![Value::Text(query.fts5())];
    values.extend(filters);
    values.push(Value::Integer(filter.limit.map_or(-1, |n| n as i64)));
    let sql = format!(
        "SELECT m.incident_id, m.place, m.of, d.body, m.matches, count(*) OVER () FROM ( \
           SELECT d.id, d.incident_id, d.place, d.of, f.rank AS score, \
             row_number() OVER (PARTITION BY d.incident_id ORDER BY f.rank, d.id) AS nth, \
             count(*) OVER (PARTITION BY d.incident_id) AS matches \
           FROM search_fts AS f JOIN search_docs AS d ON d.id = f.rowid \
           JOIN incidents AS i ON i.id = d.incident_id \
           WHERE search_fts MATCH ?{conditions}) AS m \
         JOIN search_docs AS d ON d.id = m.id \
         WHERE m.nth = 1 ORDER BY m.score, m.incident_id DESC LIMIT ?"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    let mut found = Hits::default();
    while let Some(row) = rows.next()? {
        let place: String = row.get(1)?;
        let Some(place) = Place::parse(&place) else {
            // A row written by hand, of a place this build does not know.
            continue;
        };
        found.total = row.get::<_, i64>(5)? as usize;
        found.hits.push(Hit {
            incident_id: row.get(0)?,
            place,
            of: row.get(2)?,
            text: row.get(3)?,
            matches: row.get::<_, i64>(4)? as usize,
        });
    }
    Ok(found)
}

/// Indexes everything already in the database: the code half of the
/// migration that added the index (schema_search.sql), through the same
/// documents the write primitives index.
pub fn backfill(conn: &Connection) -> rusqlite::Result<()> {
    let mut ids = Vec::new();
    incidents::each(conn, &ListFilter::default(), Order::Number, |i| {
        ids.push(i.id);
        for doc in search::incident_docs(&i) {
            put(conn, &doc)?;
        }
        Ok(())
    })
    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    let kinds: Vec<&str> = EventKind::ALL
        .iter()
        .copied()
        .filter(|k| search::is_written(*k))
        .map(|k| k.as_str())
        .collect();
    let marks = vec!["?"; kinds.len()].join(", ");
    let mut entries = conn.prepare(&format!(
        "SELECT incident_id, id, kind, text FROM events WHERE kind IN ({marks}) ORDER BY id"
    ))?;
    let mut rows = entries.query(params_from_iter(kinds))?;
    while let Some(row) = rows.next()? {
        let kind: EventKind = row.get(2)?;
        let text: String = row.get(3)?;
        if let Some(doc) = search::event_doc(row.get(0)?, row.get(1)?, kind, &text) {
            put(conn, &doc)?;
        }
    }
    let mut docs: Vec<Doc> = Vec::new();
    docs.extend(
        super::assessments::select(conn, Of::All)?
            .iter()
            .map(search::assessment_doc),
    );
    for id in ids {
        if let Some(retro) = super::retro::get(conn, id)? {
            docs.extend(search::retro_docs(id, &retro.value));
        }
    }
    docs.extend(
        super::retro::actions(conn, &ActionFilter::default())?
            .iter()
            .map(search::action_doc),
    );
    docs.extend(
        super::alerts::select(conn, &AlertFilter::default())?
            .iter()
            .filter_map(search::alert_doc),
    );
    for doc in &docs {
        put(conn, doc)?;
    }
    Ok(())
}
