//! The full-text index (`search_docs`; schema_search.sql), as
//! `sqlite/search.rs`: kept by the write primitives in the writing
//! transaction, and searched.

use super::Db;
use super::incidents::{clauses, mark};
use super::retro::{RETRO_COLUMNS, retro_from_row};
use super::sql::{Statement, Value, col};
use crate::domain::EventKind;
use crate::domain::search::{self, Doc, Hits, Place, Query, Ranking};
use crate::store::ListFilter;
use anyhow::Result;
use tokio_postgres::Row;

/// The statement that stores `doc` in place of the text it names (blank
/// text removes it). An unchanged text is not written again: its GIN
/// entries stay as they are.
pub fn put_statement(doc: &Doc) -> Statement {
    let key = vec![Value::Text(doc.place.as_str().into()), Value::Int(doc.of)];
    if doc.is_blank() {
        return Statement::new("DELETE FROM search_docs WHERE place = $1 AND of = $2", key);
    }
    let mut values = key;
    values.extend([
        Value::Int(doc.incident_id),
        Value::Text(doc.text.clone()),
        Value::Text(search::tsvector(&doc.text)),
    ]);
    Statement::new(
        "INSERT INTO search_docs (place, of, incident_id, body, words) \
         VALUES ($1, $2, $3, $4, CAST($5 AS tsvector)) \
         ON CONFLICT (place, of) DO UPDATE SET incident_id = EXCLUDED.incident_id, \
           body = EXCLUDED.body, words = EXCLUDED.words \
         WHERE search_docs.incident_id <> EXCLUDED.incident_id OR search_docs.body <> EXCLUDED.body",
        values,
    )
}

/// Indexes each document with the next round trip (nothing waits on it;
/// an error fails the transaction).
pub fn put(db: &mut Db, docs: impl IntoIterator<Item = Doc>) {
    for doc in docs {
        db.defer(put_statement(&doc));
    }
}

/// How many of the newest texts a search looks through first, in `seq`
/// order, before it looks further down.
const WINDOW: i64 = 20_000;

/// The most texts below the window a search walks, in `seq` order, to
/// find the matches the window lacked, before the GIN index is asked for
/// them instead. Past this, the word is rare enough that its older matches
/// are fewer to fetch from the GIN index than texts to walk.
const REACH: i64 = 200_000;

/// The matches of the incidents `filter` selects, newest first (by `seq`,
/// the order texts were first indexed, as SQLite's rowid), as many as
/// [`search::Ranking`] ranks, for [`hits_of`]. In tiers, because the
/// planner cannot tell a rare word from a common one well enough to choose
/// between walking the texts newest first (fast when the words are in many
/// of them, a scan of the whole table when they are in none) and taking
/// the GIN index's matches to sort (fast for a few, every match read, and
/// nearly every page of the table, for a common word):
///
/// - `recent`: the newest [`WINDOW`] texts are looked through, which
///   finds a common word's newest matches at a bounded cost and measures
///   how common the word is among the texts the filter keeps.
/// - `middle`: if the window found some but too few, the texts just below
///   it are walked, newest first, until the missing matches are found, at
///   most twice as many texts as the window's rate says hold them (so a
///   past up to half as dense still fills the page), and only if that is
///   at most [`REACH`] texts. A word in one title of sixty, or a broad
///   filter over a common word, is found here, where the GIN index would
///   hand over every one of its older matches to sort.
/// - `older`: only if the matches are still too few, the GIN index gives
///   the ones below what was walked, which is then few: the word is rare,
///   or the window found none.
///
/// Each tier covers its own range of `seq`, so none finds a text twice or
/// misses one, and each is gated by a condition the statement evaluates
/// once, so a tier not needed is never started. (`seq + 0`: the GIN
/// index's matches are taken alone, not intersected with a range of `seq`
/// that is most of the table, nor read in `seq` order, which is the walk
/// again; `OFFSET 0`: the middle walk is a walk of `seq`, not the GIN
/// index's matches intersected with its range.)
/// A filter that selects at most [`search::FEW_INCIDENTS`] incidents reads
/// those incidents' matching texts instead, through
/// `search_docs_by_incident`: the same matches, found without reading a
/// common word's matches across the record. `ts_rank` is not asked for:
/// the ranking is the domain's, the same on both backends.
pub fn statement(query: &Query, filter: &ListFilter) -> Statement {
    let mut values = vec![Value::Text(query.tsquery())];
    let clauses = clauses(filter, "i", &mut values);
    let conditions: String = clauses.iter().map(|c| format!(" AND {c}")).collect();
    let read = mark(
        &mut values,
        Value::Int(search::to_read(filter.limit).map_or(i64::MAX, |n| n as i64)),
    );
    let window = mark(&mut values, Value::Int(WINDOW));
    // A filter that selects at most FEW_INCIDENTS incidents: their texts
    // are read, incident by incident (search_docs_by_incident; as a join,
    // not knowing how few `chosen` holds, the planner took every match of
    // a common word from the GIN index instead, and OFFSET 0 keeps the
    // subquery from being flattened back into that join), in place of the
    // tiers; more, and the tiers run as without a filter. Both give the
    // same matches, so which runs is a matter of cost only: the incidents
    // are counted (up to one more than FEW_INCIDENTS, which for a broad
    // filter on a column no index serves is a scan of thousands of
    // incidents) only when the window did not settle it, that is when it
    // found too few matches for the middle tier to finish cheaply. `wide`,
    // a constant of the statement, says which runs, so the other is never
    // started.
    let (chosen, few, wide) = if clauses.is_empty() {
        (String::new(), String::new(), "true".to_string())
    } else {
        let cap = mark(&mut values, Value::Int(search::FEW_INCIDENTS as i64 + 1));
        let most = mark(&mut values, Value::Int(search::FEW_INCIDENTS as i64));
        (
            format!("chosen AS (SELECT i.id FROM incidents AS i WHERE true{conditions} LIMIT {cap}), "),
            format!(
                "few AS ( \
                   SELECT d.incident_id, d.place, d.of, d.body, d.seq \
                   FROM chosen AS c CROSS JOIN LATERAL ( \
                     SELECT * FROM search_docs AS s \
                     WHERE s.incident_id = c.id AND s.words @@ CAST($1 AS tsquery) OFFSET 0) AS d \
                   WHERE NOT (SELECT wide FROM reach) \
                   ORDER BY d.seq DESC LIMIT {read}), "
            ),
            format!(
                "CASE WHEN k >= {read} OR floor < lo THEN true \
                   ELSE (SELECT count(*) FROM chosen) > {most} END"
            ),
        )
    };
    let union_few = if few.is_empty() {
        ""
    } else {
        "SELECT incident_id, place, of, body, seq FROM few WHERE NOT (SELECT wide FROM reach) UNION ALL "
    };
    // `reach`: `lo`, the oldest `seq` of the window; `floor`, the lowest
    // the middle tier walks to (`lo`: it does not run); `wide`, whether
    // the tiers run (else `few`). The span is reckoned in floating point:
    // `read` is the largest integer when every match is asked for, and
    // that span is never walked. Each tier is gated again where the last
    // SELECT reads it: a CTE not read is never started, where a gate inside
    // it may sit below a Gather that starts parallel workers regardless.
    Statement::new(
        format!(
            "WITH {chosen}recent AS ( \
               SELECT d.incident_id, d.place, d.of, d.body, d.seq \
               FROM (SELECT * FROM search_docs ORDER BY seq DESC LIMIT {window}) AS d \
               JOIN incidents AS i ON i.id = d.incident_id \
               WHERE d.words @@ CAST($1 AS tsquery){conditions} ORDER BY d.seq DESC LIMIT {read}), \
             reach AS ( \
               SELECT lo, floor, {wide} AS wide FROM ( \
                 SELECT lo, k, CASE WHEN k > 0 AND 2 * ({read} - k)::float8 * {window} / k <= {REACH} \
                   THEN lo - ceil(2 * ({read} - k)::float8 * {window} / k)::bigint ELSE lo END AS floor \
                 FROM (SELECT coalesce(min(w.seq), 0) AS lo FROM \
                         (SELECT seq FROM search_docs ORDER BY seq DESC LIMIT {window}) AS w) AS e, \
                      (SELECT count(*) AS k FROM recent) AS r) AS t), \
             {few}middle AS ( \
               SELECT d.incident_id, d.place, d.of, d.body, d.seq \
               FROM (SELECT * FROM search_docs \
                     WHERE seq < (SELECT lo FROM reach) AND seq >= (SELECT floor FROM reach) \
                     ORDER BY seq DESC OFFSET 0) AS d \
               JOIN incidents AS i ON i.id = d.incident_id \
               WHERE d.words @@ CAST($1 AS tsquery){conditions} \
                 AND (SELECT floor < lo FROM reach) \
               ORDER BY d.seq DESC LIMIT ({read} - (SELECT count(*) FROM recent))), \
             older AS ( \
               SELECT d.incident_id, d.place, d.of, d.body, d.seq \
               FROM search_docs AS d JOIN incidents AS i ON i.id = d.incident_id \
               WHERE d.words @@ CAST($1 AS tsquery){conditions} \
                 AND d.seq + 0 < (SELECT floor FROM reach) \
                 AND (SELECT wide FROM reach) \
                 AND (SELECT count(*) FROM recent) + (SELECT count(*) FROM middle) < {read} \
               ORDER BY d.seq + 0 DESC LIMIT {read}) \
             {union_few}SELECT incident_id, place, of, body, seq FROM recent WHERE (SELECT wide FROM reach) \
             UNION ALL SELECT incident_id, place, of, body, seq FROM middle \
               WHERE (SELECT floor < lo FROM reach) \
             UNION ALL SELECT incident_id, place, of, body, seq FROM older \
               WHERE (SELECT wide FROM reach) \
                 AND (SELECT count(*) FROM recent) + (SELECT count(*) FROM middle) < {read} \
             ORDER BY seq DESC LIMIT {read}"
        ),
        values,
    )
}

/// Ranks what [`statement`] read.
pub fn hits_of(rows: Vec<Row>, query: &Query, limit: Option<usize>) -> Result<Hits> {
    let mut ranking = Ranking::new(query, limit);
    for row in &rows {
        let place: String = col(row, 1)?;
        let Some(place) = Place::parse(&place) else {
            // A row written by hand, of a place this build does not know.
            continue;
        };
        let text: String = col(row, 3)?;
        if !ranking.offer(col(row, 0)?, place, col(row, 2)?, &text) {
            break;
        }
    }
    Ok(ranking.finish())
}

/// Indexes everything already in the database: the code half of the
/// migration that added the index (schema_search.sql), from the columns
/// that hold text (so a later step's columns are not needed), through the
/// same documents the write primitives index. Rows whose text does not
/// read back are left out: `verify` names them.
pub fn backfill(db: &mut Db) -> Result<(), super::client::Error> {
    let text = |r: &Row, i: usize| col::<Option<String>>(r, i).ok().flatten();
    let mut docs: Vec<Doc> = Vec::new();
    for r in db
        .client
        .query("SELECT id, title, summary, resolution FROM incidents", &[])?
    {
        let (Ok(id), Some(title)) = (r.try_get::<_, i64>(0), text(&r, 1)) else {
            continue;
        };
        docs.extend(search::incident_fields(
            id,
            &title,
            text(&r, 2).as_deref(),
            text(&r, 3).as_deref(),
        ));
    }
    flush(db, &mut docs)?;
    let kinds: Vec<String> = EventKind::ALL
        .iter()
        .filter(|k| search::is_written(**k))
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    for r in db.client.query(
        &format!(
            "SELECT incident_id, id, kind, text FROM events WHERE kind IN ({}) ORDER BY id",
            kinds.join(", ")
        ),
        &[],
    )? {
        let kind = text(&r, 2).and_then(|k| k.parse::<EventKind>().ok());
        if let (Ok(incident), Ok(id), Some(kind), Some(body)) =
            (r.try_get(0), r.try_get(1), kind, text(&r, 3))
        {
            docs.extend(search::event_doc(incident, id, kind, &body));
        }
        if docs.len() >= BATCH {
            flush(db, &mut docs)?;
        }
    }
    for r in db
        .client
        .query("SELECT id, incident_id, impact, sees FROM assessments", &[])?
    {
        if let (Ok(id), Ok(incident)) = (r.try_get(0), r.try_get(1)) {
            let body =
                search::assessment_text(&text(&r, 2).unwrap_or_default(), &text(&r, 3).unwrap_or_default());
            docs.push(Doc::new(Place::Assessment, id, incident, body));
        }
    }
    for r in db
        .client
        .query(&format!("SELECT {RETRO_COLUMNS}, incident_id FROM retros"), &[])?
    {
        if let (Ok(retro), Ok(incident)) = (retro_from_row(&r), r.try_get(10)) {
            docs.extend(search::retro_docs(incident, &retro));
        }
    }
    for r in db
        .client
        .query("SELECT id, incident_id, text, note FROM actions", &[])?
    {
        if let (Ok(id), Ok(incident), Some(body)) = (r.try_get(0), r.try_get(1), text(&r, 2)) {
            let body = search::action_text(&body, text(&r, 3).as_deref());
            docs.push(Doc::new(Place::ActionItem, id, incident, body));
        }
    }
    for r in db.client.query(
        "SELECT id, incident_id, summary FROM alerts WHERE incident_id IS NOT NULL",
        &[],
    )? {
        if let (Ok(id), Ok(incident), Some(body)) = (r.try_get(0), r.try_get(1), text(&r, 2)) {
            docs.push(Doc::new(Place::Alert, id, incident, body));
        }
    }
    flush(db, &mut docs)
}

/// How many documents the backfill sends in one round trip.
const BATCH: usize = 1_000;

/// Sends the documents' statements, pipelined, and forgets them.
fn flush(db: &mut Db, docs: &mut Vec<Doc>) -> Result<(), super::client::Error> {
    for chunk in docs.chunks(BATCH) {
        let statements: Vec<Statement> = chunk.iter().map(put_statement).collect();
        let values: Vec<_> = statements.iter().map(|s| super::sql::params(&s.values)).collect();
        let calls: Vec<(&str, super::client::Params<'_>)> = statements
            .iter()
            .zip(&values)
            .map(|(s, p)| (s.sql.as_str(), p.as_slice()))
            .collect();
        db.client.pipeline(&calls)?;
    }
    docs.clear();
    Ok(())
}
