//! What `stats` reads: every selected incident's response facts without
//! loading timelines. The first acknowledgement and triage come from the
//! state columns (schema_state.sql); the update history and severity changes
//! from one query over the `events_for_updates` partial index, so the cost
//! follows the number of incidents and updates, not of notes.

use super::ListFilter;
use super::sql::Stamp;
use crate::domain::targets::{self, Facts, UpdateFact};
use crate::domain::{Category, EventData, Incident, Status};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use std::collections::{BTreeMap, HashMap};

/// The kinds `events_for_updates` indexes. Spelled literally in the SQL: the
/// planner uses a partial index only for a condition written like its own.
const INDEXED_KINDS: &str = "('severity_changed', 'status_update', 'comms')";

/// The incidents `filter` selects (its limit aside), by number, with their
/// response facts, collected (see [`each`]).
#[cfg(test)]
pub fn facts(conn: &Connection, filter: &ListFilter) -> rusqlite::Result<Vec<(Incident, Facts)>> {
    let mut out = Vec::new();
    each(conn, filter, Scope::ALL, |i, f| {
        out.push((i, f));
        Ok(())
    })
    .map_err(|e| e.downcast::<rusqlite::Error>().unwrap_or_else(|e| panic!("{e}")))?;
    out.sort_by_key(|(i, _)| i.id);
    Ok(out)
}

/// Streams the incidents `filter` selects (its limit aside), each with its
/// response facts, within `scope`. Only the columns the targets,
/// `check` and `stats` read are filled in: id, title, status, severity,
/// category and the times; the rest are empty.
///
/// The level at declaration is read from the `declared` event only where the
/// severity changed since; otherwise it is the incident's level, as nothing
/// else changes it.
pub fn each(
    conn: &Connection,
    filter: &ListFilter,
    scope: Scope,
    mut f: impl FnMut(Incident, Facts) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let (selection, values) = select(filter, &scope);
    let mut history = match scope.history {
        true => history(conn, &selection, &values)?,
        false => HashMap::new(),
    };

    let mut statement = conn.prepare_cached(&format!(
        "SELECT i.id, i.status, i.severity, i.category, i.declared_at, i.resolved_at, i.closed_at, \
         i.acknowledged_at, i.triaged_at, i.title, i.drill, i.started_at FROM incidents AS i \
         WHERE {selection}"
    ))?;
    let mut rows = statement.query(params_from_iter(values.iter()))?;
    while let Some(r) = rows.next()? {
        let incident = Incident {
            id: r.get(0)?,
            status: r.get::<_, Status>(1)?,
            severity: r.get(2)?,
            category: r.get::<_, Category>(3)?,
            declared_at: r.get::<_, Stamp>(4)?.0,
            resolved_at: r.get::<_, Option<Stamp>>(5)?.map(|s| s.0),
            closed_at: r.get::<_, Option<Stamp>>(6)?.map(|s| s.0),
            title: r.get(9)?,
            services: Vec::new(),
            channels: Vec::new(),
            summary: None,
            detected_by: None,
            started_at: r.get::<_, Option<Stamp>>(11)?.map(|s| s.0),
            resolution: None,
            next_update_at: None,
            roles: Vec::new(),
            drill: r.get(10)?,
            tags: Default::default(),
        };
        let facts = Facts {
            acknowledged: r.get::<_, Option<Stamp>>(7)?.map(|s| s.0),
            triaged: r.get::<_, Option<Stamp>>(8)?.map(|s| s.0),
            ..history.remove(&incident.id).unwrap_or_default()
        };
        f(incident, facts)?;
    }
    Ok(())
}

/// A condition on `incidents AS i` selecting what `each` reads, and its
/// parameters. Unsettled incidents are found through `incidents_unsettled`:
/// those never settled, then those settled under other targets, so the
/// settled majority is never read.
fn select(filter: &ListFilter, scope: &Scope) -> (String, Vec<Value>) {
    let Some(key) = scope.unsettled else {
        let (clauses, values) = super::incidents::clauses(filter, "i");
        return match clauses.is_empty() {
            true => ("1".into(), values),
            false => (clauses.join(" AND "), values),
        };
    };
    let (clauses, filter_values) = super::incidents::clauses(filter, "u");
    let and: String = clauses.iter().map(|c| format!(" AND {c}")).collect();
    let mut values = filter_values.clone();
    let mut parts = vec![format!(
        "SELECT u.id FROM incidents AS u INDEXED BY incidents_unsettled WHERE u.settled IS NULL{and}"
    )];
    for op in ["<", ">"] {
        parts.push(format!(
            "SELECT u.id FROM incidents AS u INDEXED BY incidents_unsettled WHERE u.settled {op} ?{and}"
        ));
        values.push(Value::Integer(key));
        values.extend(filter_values.iter().cloned());
    }
    let union = parts.join(" UNION ALL ");
    match scope.page {
        None => (format!("i.id IN ({union})"), values),
        Some((after, limit)) => {
            values.push(Value::Integer(after));
            values.push(Value::Integer(limit as i64));
            (
                format!("i.id IN (SELECT id FROM ({union}) WHERE id > ? ORDER BY id LIMIT ?)"),
                values,
            )
        }
    }
}

/// Which of the incidents a filter selects `each` reads, and how much.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// Only those not settled under this targets key.
    pub unsettled: Option<i64>,
    /// With `unsettled`: only the first so many numbered after this one.
    pub page: Option<(i64, usize)>,
    /// Read the update history; without it the facts hold the first
    /// acknowledgement and triage only.
    pub history: bool,
}

impl Scope {
    /// Every incident, with its history.
    pub const ALL: Scope = Scope {
        unsettled: None,
        page: None,
        history: true,
    };
}

/// One incident's response facts, for `show` and `comms`: through the same
/// partial index, so a 10,000-entry timeline costs what a short one does.
pub fn facts_of(conn: &Connection, id: i64) -> rusqlite::Result<Facts> {
    let values = [Value::Integer(id)];
    let mut facts = history(conn, "i.id = ?", &values)?
        .remove(&id)
        .unwrap_or_default();
    let (acknowledged, triaged) = conn
        .prepare_cached("SELECT acknowledged_at, triaged_at FROM incidents WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((r.get::<_, Option<Stamp>>(0)?, r.get::<_, Option<Stamp>>(1)?))
        })?;
    facts.acknowledged = acknowledged.map(|s| s.0);
    facts.triaged = triaged.map(|s| s.0);
    Ok(facts)
}

/// The status updates and severity changes of the incidents `selection`
/// (a condition on `incidents AS i`) picks, by incident. Driven from those
/// incidents through the partial index, so it reads their updates only:
/// left to itself the planner prefers the timeline index for its order and
/// reads every note, or walks every update of every incident.
fn history(conn: &Connection, selection: &str, values: &[Value]) -> rusqlite::Result<HashMap<i64, Facts>> {
    let mut out: HashMap<i64, Facts> = HashMap::new();
    let mut statement = conn.prepare_cached(&format!(
        "SELECT e.incident_id, e.at, e.author, e.id, e.kind, e.details \
         FROM incidents AS i CROSS JOIN events AS e INDEXED BY events_for_updates \
         WHERE {selection} AND e.incident_id = i.id AND e.kind IN {INDEXED_KINDS} \
         ORDER BY e.incident_id, e.at, e.id"
    ))?;
    // Incidents whose severity changed: their first change, until the
    // `declared` event says what the level was at declaration.
    let mut changed: BTreeMap<i64, EventData> = BTreeMap::new();
    let mut rows = statement.query(params_from_iter(values.iter()))?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let facts = out.entry(id).or_default();
        let at = r.get::<_, Stamp>(1)?.0;
        let data = decode(r.get(3)?, &r.get::<_, String>(4)?, r.get::<_, Option<String>>(5)?)?;
        if let EventData::SeverityChanged(m) = &data {
            facts.severity_changes.push((at, m.to.clone()));
            changed.entry(id).or_insert(data);
        } else if let Some(update) = UpdateFact::of(at, &r.get::<_, String>(2)?, &data) {
            facts.updates.push(update);
        }
    }
    drop(rows);

    // The level at declaration, where it changed since: the first
    // `declared` event of each, through the timeline index.
    let mut statement = conn.prepare_cached(
        "SELECT id, details FROM events WHERE incident_id = ?1 AND kind = 'declared' ORDER BY at, id LIMIT 1",
    )?;
    for (id, first_change) in changed {
        let declared = statement
            .query_row([id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .optional()?
            .map(|(event, details)| decode(event, "declared", details))
            .transpose()?;
        if let Some(facts) = out.get_mut(&id) {
            facts.initial_severity = targets::initial_severity(declared.iter().chain([&first_change]));
        }
    }
    Ok(out)
}

/// An event's typed data, or the error that names the event.
fn decode(id: i64, kind: &str, details: Option<String>) -> rusqlite::Result<EventData> {
    EventData::from_stored(kind, details.as_deref()).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            5,
            rusqlite::types::Type::Text,
            format!("event {id}: {e}; run 'incident verify'").into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EventData;
    use crate::domain::NewEvent;
    use crate::domain::event::sample;
    use crate::store::sqlite::events;
    use chrono::{DateTime, Utc};

    fn t(hhmm: &str) -> DateTime<Utc> {
        format!("2026-11-23T{hhmm}:00Z").parse().unwrap()
    }

    fn append(conn: &Connection, id: i64, at: &str, data: EventData) {
        events::append(conn, id, "alice", t("12:00"), NewEvent::new(t(at), data, "x")).unwrap();
    }

    /// The state columns and the narrow query give the facts the whole
    /// timeline gives: backdated entries, severity changes, promises.
    #[test]
    fn facts_from_the_store_match_the_facts_from_the_timeline() {
        let conn = Connection::open_in_memory().unwrap();
        super::super::migrations::upgrade(&conn, 0).unwrap();
        conn.execute_batch(
            "INSERT INTO incidents (id, title, status, severity, category, declared_at, uid) VALUES
               (1, 'a', 'investigating', 'SEV1', 'other', '2026-11-23T08:00:00Z', 'u1'),
               (2, 'b', 'resolved', 'SEV3', 'data', '2026-11-23T08:00:00Z', 'u2'),
               (3, 'c', 'investigating', 'SEV2', 'other', '2026-11-23T08:00:00Z', 'u3');",
        )
        .unwrap();
        append(&conn, 1, "08:00", sample::declared("SEV2"));
        append(&conn, 1, "08:40", sample::assigned("scribe", "bob"));
        append(&conn, 1, "08:50", sample::assigned("commander", "bob"));
        // Backdated: the earlier commander wins.
        append(&conn, 1, "08:20", sample::handover("commander", "eve", "bob"));
        append(&conn, 1, "09:00", sample::severity("SEV2", "SEV1", None));
        append(&conn, 1, "09:10", sample::update(Some("2026-11-23T09:30:00Z")));
        append(&conn, 1, "09:05", EventData::Comms(None));
        append(&conn, 1, "09:20", sample::assessed());
        append(&conn, 1, "09:15", sample::assessed());
        append(&conn, 1, "09:30", EventData::Note);
        append(&conn, 2, "08:00", sample::declared("SEV3"));
        append(&conn, 2, "08:30", sample::update(None));
        // No `declared` event: the first change's `from` is the initial level.
        append(&conn, 3, "08:30", sample::severity("SEV3", "SEV2", None));

        let got = facts(&conn, &ListFilter::default()).unwrap();
        assert_eq!(got.len(), 3);
        for (incident, facts) in &got {
            let (timeline, _) = events::timeline(&conn, incident.id, None).unwrap();
            let mut want = Facts::from_events(incident, &timeline);
            // Unchanged since declared: the declared level is the current one.
            if want.severity_changes.is_empty()
                && want.initial_severity.as_deref() == Some(&incident.severity)
            {
                want.initial_severity = None;
            }
            assert_eq!(format!("{facts:?}"), format!("{want:?}"), "INC-{}", incident.id);
        }
        let one = &got[0].1;
        assert_eq!(
            (one.acknowledged, one.triaged),
            (Some(t("08:20")), Some(t("09:15")))
        );
        assert_eq!(one.initial_severity.as_deref(), Some("SEV2"));
        assert_eq!(one.updates.len(), 2);
        assert_eq!(got[2].1.initial_severity.as_deref(), Some("SEV3"));
        // The filter applies to the history too.
        let open = ListFilter {
            statuses: vec![Status::Resolved],
            ..ListFilter::default()
        };
        let got = facts(&conn, &open).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1.updates.len(), 1);
    }
}
