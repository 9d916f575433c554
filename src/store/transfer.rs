//! Export and import in the backend-neutral format (`crate::transfer`),
//! written once for every backend: an incident's parts read into an
//! [`IncidentRecord`], and a file merged into this database. An incident is
//! known by its `uid` and an event by its chain `hash`, so importing the
//! same file twice changes nothing; an alert is known by its source and
//! identity.

use super::reads::Answers;
use super::{
    ActionFilter, AlertFilter, Append, Dated, Found, ListFilter, Of, Put, Read, Reads, ReadsExt, Writer,
};
use crate::domain::alerts::{self, Alert};
use crate::domain::event::EventData;
use crate::domain::refs::{self, Renumbering};
use crate::domain::retro::{ActionItem, Retro};
use crate::domain::triage::{Answers as TriageAnswers, Assessment, normalize_checks};
use crate::domain::{EventKind, RoleHolder};
use crate::transfer::{
    ActionRecord, AlertRecord, AssessmentRecord, Contents, EventRecord, IncidentRecord, Outcome, RetroRecord,
    RoleRecord, alert_records,
};
use anyhow::{Result, anyhow};
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};

/// One incident and everything that belongs to it (`None`: no such
/// incident), read in one batch.
pub fn export(store: &(impl Reads + ?Sized), id: i64) -> Result<Option<IncidentRecord>> {
    let actions = ActionFilter {
        incident_id: Some(id),
        ..ActionFilter::default()
    };
    let alerts = AlertFilter {
        incident_id: Some(id),
        ..AlertFilter::default()
    };
    let reads = [
        Read::Incident(id),
        Read::Chain(id),
        Read::Roles(id),
        Read::Assessments(Of::Incident(id)),
        Read::Retro(id),
        Read::Actions(&actions),
        Read::Alerts(&alerts),
        Read::Renumbered(Of::Incident(id)),
    ];
    let mut found = Answers::new(&reads, store.batch(&reads)?);
    let incident = found.take(|f| match f {
        Found::Incident(i) => Some(i),
        _ => None,
    })?;
    let chain = found.take(|f| match f {
        Found::Chain(c) => Some(c),
        _ => None,
    })?;
    let roles = found.take(|f| match f {
        Found::Roles(r) => Some(r),
        _ => None,
    })?;
    let assessments = found.take(|f| match f {
        Found::Assessments(a) => Some(a),
        _ => None,
    })?;
    let retro = found.take(|f| match f {
        Found::Retro(r) => Some(r),
        _ => None,
    })?;
    let actions = found.take(|f| match f {
        Found::Actions(a) => Some(a),
        _ => None,
    })?;
    let alerts = found.take(|f| match f {
        Found::Alerts(a) => Some(a),
        _ => None,
    })?;
    let mut renumbered = found.take(|f| match f {
        Found::Renumbered(r) => Some(r),
        _ => None,
    })?;
    let (Some(incident), Some(chain)) = (incident, chain) else {
        return Ok(None);
    };
    // In order of assignment, as they were always written.
    let mut roles: Vec<RoleRecord> = roles
        .into_iter()
        .map(|(h, since)| RoleRecord {
            role: h.role,
            person: h.person,
            since,
        })
        .collect();
    roles.sort_by(|a, b| (a.since, &a.role, &a.person).cmp(&(b.since, &b.role, &b.person)));
    Ok(Some(IncidentRecord {
        uid: chain.uid,
        id,
        title: incident.title,
        status: incident.status,
        severity: incident.severity,
        category: incident.category,
        services: incident.services,
        channels: incident.channels,
        summary: incident.summary,
        detected_by: incident.detected_by,
        started_at: incident.started_at,
        declared_at: incident.declared_at,
        resolved_at: incident.resolved_at,
        closed_at: incident.closed_at,
        resolution: incident.resolution,
        next_update_at: incident.next_update_at,
        head: chain.head,
        roles,
        // The chain as stored, verbatim: the file carries exactly what is hashed.
        events: chain
            .rows
            .into_iter()
            .map(|row| {
                let numbers = renumbered.remove(&row.id);
                event_record(row, numbers)
            })
            .collect(),
        assessments: assessments.into_iter().map(assessment_record).collect(),
        retro: retro.map(retro_record),
        actions: actions.into_iter().map(ActionRecord::from).collect(),
        alerts: alert_records(alerts),
    }))
}

fn event_record(row: crate::domain::chain::ChainRow, renumbered: Option<Renumbering>) -> EventRecord {
    EventRecord {
        id: row.id,
        at: row.at,
        recorded_at: row.recorded_at,
        author: row.author,
        kind: row.kind,
        text: row.text,
        // Text that is not JSON travels as a JSON string.
        details: row.details.map(|d| {
            RawValue::from_string(d.clone()).unwrap_or_else(|_| {
                RawValue::from_string(serde_json::Value::from(d).to_string()).expect("a JSON string is JSON")
            })
        }),
        prev_hash: row.prev_hash,
        hash: row.hash,
        renumbered,
    }
}

fn assessment_record(a: Assessment) -> AssessmentRecord {
    AssessmentRecord {
        event_id: a.event_id,
        at: a.at,
        author: a.author,
        impact: a.answers.impact,
        sees: a.answers.sees,
        customers: a.answers.customers,
        impact_started_at: a.answers.started_at,
        tickets: a.answers.tickets,
        factors: a.answers.factors,
        checked: a.answers.checked.iter().map(|c| c.to_string()).collect(),
        suggested: a.suggested,
        reason: a.reason,
        severity: a.severity,
    }
}

fn retro_record(r: Dated<Retro>) -> RetroRecord {
    let Dated {
        value: retro,
        created_at,
        updated_at,
    } = r;
    RetroRecord {
        impact: retro.impact,
        whys: retro.whys,
        root_cause: retro.root_cause,
        contributing: retro.contributing,
        went_well: retro.went_well,
        went_badly: retro.went_badly,
        lucky: retro.lucky,
        no_actions: retro.no_actions,
        trigger: retro.trigger,
        lead_up: retro.lead_up,
        created_at,
        updated_at,
    }
}

/// How many of a file's alerts were new here, and how many changed one
/// recorded here.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AlertTally {
    pub added: usize,
    pub updated: usize,
}

/// Merges a whole file (already validated) into the database, in the
/// writer's one transaction: each incident as [`import`] does, then the
/// alerts. The error names the incident (`#n`, from 1) or the alerts.
pub fn import_file(w: &mut Writer<'_>, contents: &Contents) -> Result<(Vec<Outcome>, AlertTally), Located> {
    let mut tally = AlertTally::default();
    let mut new = Vec::new();
    let mut outcomes = Vec::with_capacity(contents.incidents.len());
    let mut appended = Vec::new();
    let mut numbers = refs::Numbers::default();
    for (n, record) in contents.incidents.iter().enumerate() {
        let at = |e: anyhow::Error| Located::Incident(n + 1, e);
        let imported = import(w, record).map_err(at)?;
        let here = imported.outcome.id();
        numbers.incidents.insert(record.id, here);
        numbers.actions.extend(imported.actions);
        appended.extend(
            imported
                .events
                .into_iter()
                .map(|(event, index)| (n, event, index)),
        );
        // Its alerts belong to it as numbered here.
        let merged =
            merge_alerts(w, &record.alerts, Some(here), &mut tally, &mut numbers.alerts).map_err(at)?;
        new.extend(merged);
        outcomes.push(imported.outcome);
    }
    new.extend(
        merge_alerts(w, &contents.alerts, None, &mut tally, &mut numbers.alerts).map_err(Located::Alerts)?,
    );
    add_alerts(w, new, &mut numbers.alerts).map_err(Located::Alerts)?;
    // What the new events name, as numbered here: what the file has not
    // got is not here either (never an unrelated record that happens to
    // have the number).
    for (n, here, index) in appended {
        let event = &contents.incidents[n].events[index];
        let Ok(data) = EventData::parse_stored(&event.kind, event.details.as_ref().map(|d| d.get())) else {
            continue;
        };
        let before = event.renumbered.clone().unwrap_or_default();
        let now = known(&numbers, &before, &refs::named(&data));
        if let Some(renumbering) = refs::through(&data, Some(&before), &now) {
            w.transaction()
                .put_renumbered(here, &renumbering)
                .map_err(|e| Located::Incident(n + 1, e))?;
        }
    }
    Ok((outcomes, tally))
}

/// This import's numbers for what `named` names (through `before`, the
/// renumbering the file kept), [`refs::NOT_HERE`] for what it did not carry.
fn known(numbers: &refs::Numbers, before: &refs::Renumbering, named: &refs::Named) -> refs::Numbers {
    let pick = |names: &[i64], was: &std::collections::BTreeMap<i64, i64>, now: &HashMap<i64, i64>| {
        names
            .iter()
            .map(|n| was.get(n).copied().unwrap_or(*n))
            .map(|k| (k, now.get(&k).copied().unwrap_or(refs::NOT_HERE)))
            .collect()
    };
    refs::Numbers {
        incidents: pick(&named.incidents, &before.incidents, &numbers.incidents),
        alerts: pick(&named.alerts, &before.alerts, &numbers.alerts),
        actions: pick(&named.actions, &before.actions, &numbers.actions),
    }
}

/// Where an import went wrong.
#[derive(Debug)]
pub enum Located {
    /// The file's incident number `n` (from 1).
    Incident(usize, anyhow::Error),
    Alerts(anyhow::Error),
}

/// Restores one exported incident (already validated) in the writer's
/// transaction: new here, it is added, keeping its number where that is
/// free; known here (by uid), it is extended with the events the file has
/// beyond this database's, and left alone when this database has more or
/// other events.
/// Returns what it did, the events it added and the numbers of its action
/// items.
pub fn import(w: &mut Writer<'_>, record: &IncidentRecord) -> Result<Imported> {
    let existing = w
        .incidents(&ListFilter {
            uid: Some(record.uid.clone()),
            ..ListFilter::default()
        })?
        .pop()
        .map(|i| i.id);
    let file_hashes: Vec<Option<&str>> = record.events.iter().map(|e| e.hash.as_deref()).collect();
    let state = record.state();
    let (id, from, here) = match existing {
        Some(id) => {
            let chain = w.chain(id)?.ok_or_else(|| anyhow!("incident {id} vanished"))?;
            let here: Vec<(i64, Option<String>)> = chain.rows.into_iter().map(|r| (r.id, r.hash)).collect();
            let hashes: Vec<Option<&str>> = here.iter().map(|(_, h)| h.as_deref()).collect();
            if hashes == file_hashes {
                return Ok(Imported::nothing(Outcome::Unchanged { id }));
            }
            if hashes.starts_with(&file_hashes) {
                return Ok(Imported::nothing(Outcome::NewerHere { id }));
            }
            if !file_hashes.starts_with(&hashes) {
                return Ok(Imported::nothing(Outcome::Diverged { id }));
            }
            // Known here, but the file carries more: its state (checked
            // against its events before the import began) is taken, and
            // nothing recorded here is removed.
            w.transaction()
                .put_incident(&crate::domain::Incident { id, ..state.clone() }, None)?;
            (id, None, here)
        }
        None => {
            let uid = &record.uid;
            let id = w.transaction().insert_incident(&state, uid, Some(record.id))?;
            let from = (id != record.id).then_some(record.id);
            (id, from, Vec::new())
        }
    };
    let known = here.len();
    let new_events = &record.events[known..];

    // Events beyond those here are appended after them, keeping their
    // numbers where free and where that keeps the chain in its order.
    let mut event_ids: HashMap<i64, i64> = HashMap::new();
    let mut last = here.iter().map(|(n, _)| *n).max().unwrap_or(0);
    for (event, (n, _)) in record.events.iter().zip(&here) {
        event_ids.insert(event.id, *n);
    }
    let mut added_events = Vec::with_capacity(new_events.len());
    for (index, event) in new_events.iter().enumerate() {
        let row = event.chained();
        let number = (event.id > last).then_some(event.id);
        let n = w
            .transaction()
            .append(id, Append::Verbatim { row: &row, number })
            .map_err(|e| anyhow!("event {}: {e:#}", event.id))?;
        event_ids.insert(event.id, n);
        added_events.push((n, known + index));
        last = last.max(n);
    }
    let new_data: Vec<EventData> = new_events
        .iter()
        .filter_map(|e| EventData::parse_stored(&e.kind, e.details.as_ref().map(|d| d.get())).ok())
        .collect();
    let new_kinds: HashSet<EventKind> = new_data.iter().map(|d| d.kind()).collect();

    if existing.is_some() {
        for data in &new_data {
            let gone = match data {
                EventData::RoleRemoved(r) => Some((&r.role, &r.person)),
                EventData::RoleHandover(h) => Some((&h.role, &h.previous)),
                _ => None,
            };
            if let Some((role, person)) = gone {
                let holder = RoleHolder {
                    role: role.clone(),
                    person: person.clone(),
                };
                w.transaction().put_role(id, &holder, None)?;
            }
        }
    }
    for role in &record.roles {
        let holder = RoleHolder {
            role: role.role.clone(),
            person: role.person.clone(),
        };
        w.transaction().put_role(id, &holder, Some(role.since))?;
    }
    let added: HashSet<i64> = new_events.iter().map(|e| e.id).collect();
    for a in record.assessments.iter().filter(|a| added.contains(&a.event_id)) {
        let event = event_ids.get(&a.event_id).ok_or_else(|| {
            anyhow!(
                "an assessment points at event {}, which is not in the file",
                a.event_id
            )
        })?;
        w.transaction().put_assessment(&assessment(id, *event, a)?)?;
    }
    let retro_here = w.dated_retro(id)?.is_some();
    if let Some(r) = record.retro.as_ref()
        && (new_kinds.contains(&EventKind::RetroUpdated) || !retro_here)
    {
        w.transaction().put_retro(id, &dated_retro(r))?;
    }
    let actions = import_actions(w, id, record, existing.is_some(), &new_kinds)?;
    // The stats cache forgets what it knew of the incident.
    w.transaction().unsettle(id)?;
    let outcome = match existing {
        Some(_) => Outcome::Extended {
            id,
            events: new_events.len(),
        },
        None => Outcome::Added { id, from },
    };
    Ok(Imported {
        outcome,
        events: added_events,
        actions,
    })
}

/// What importing one incident did.
pub struct Imported {
    pub outcome: Outcome,
    /// The events it added: (number here, position in the record).
    pub events: Vec<(i64, usize)>,
    /// Its action items: the file's number → the number here.
    pub actions: HashMap<i64, i64>,
}

impl Imported {
    fn nothing(outcome: Outcome) -> Self {
        Imported {
            outcome,
            events: Vec::new(),
            actions: HashMap::new(),
        }
    }
}

/// The file's action items: one already here (on an extension: the same
/// item, text, owner, due date, kind and creation, each matched once)
/// takes the file's progress only when new events record it; the rest are
/// added, keeping their numbers where free. Returns the file's numbers →
/// the numbers here.
fn import_actions(
    w: &mut Writer<'_>,
    id: i64,
    record: &IncidentRecord,
    extending: bool,
    new_kinds: &HashSet<EventKind>,
) -> Result<HashMap<i64, i64>> {
    let mut numbers = HashMap::new();
    let progressed =
        new_kinds.contains(&EventKind::ActionDone) || new_kinds.contains(&EventKind::ActionLinked);
    let mut here = match extending {
        true => w.actions(&ActionFilter {
            incident_id: Some(id),
            ..ActionFilter::default()
        })?,
        false => Vec::new(),
    };
    for a in &record.actions {
        let same = |h: &ActionItem| {
            (&h.text, &h.owner, h.due, h.kind, h.created_at)
                == (&a.text, &a.owner, a.due, a.kind, a.created_at)
        };
        // The item with the file's number first, else the first alike.
        let found = here
            .iter()
            .position(|h| h.id == a.id && same(h))
            .or_else(|| here.iter().position(same));
        let item = ActionItem {
            id: a.id,
            incident_id: id,
            text: a.text.clone(),
            owner: a.owner.clone(),
            due: a.due,
            kind: a.kind,
            status: a.status,
            created_at: a.created_at,
            done_at: a.done_at,
            note: a.note.clone(),
            link: a.link.clone(),
        };
        match found {
            Some(at) => {
                let matched = here.remove(at);
                numbers.insert(a.id, matched.id);
                if progressed {
                    let item = ActionItem {
                        id: matched.id,
                        ..item
                    };
                    w.transaction().put_action(&item, Put::Update)?;
                }
            }
            None => {
                numbers.insert(a.id, w.transaction().put_action(&item, Put::Insert)?);
            }
        }
    }
    Ok(numbers)
}

fn assessment(incident_id: i64, event_id: i64, a: &AssessmentRecord) -> Result<Assessment> {
    Ok(Assessment {
        id: 0,
        incident_id,
        event_id,
        at: a.at,
        author: a.author.clone(),
        answers: TriageAnswers {
            impact: a.impact.clone(),
            sees: a.sees.clone(),
            customers: a.customers,
            started_at: a.impact_started_at,
            tickets: a.tickets,
            factors: a.factors.clone(),
            checked: normalize_checks(&a.checked).map_err(|e| anyhow!("assessment: {e}"))?,
        },
        suggested: a.suggested.clone(),
        reason: a.reason.clone(),
        severity: a.severity.clone(),
    })
}

fn dated_retro(r: &RetroRecord) -> Dated<Retro> {
    Dated {
        value: Retro {
            impact: r.impact.clone(),
            whys: r.whys.clone(),
            root_cause: r.root_cause.clone(),
            trigger: r.trigger.clone(),
            lead_up: r.lead_up.clone(),
            contributing: r.contributing.clone(),
            went_well: r.went_well.clone(),
            went_badly: r.went_badly.clone(),
            lucky: r.lucky.clone(),
            no_actions: r.no_actions.clone(),
        },
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Merges the file's alerts, belonging to `incident` (its number here):
/// one known here (by source and identity) becomes what the domain's
/// merge makes of the two, written only when that differs; those unknown
/// here are returned, to be added once all are known ([`add_alerts`]).
fn merge_alerts(
    w: &mut Writer<'_>,
    records: &[AlertRecord],
    incident: Option<i64>,
    tally: &mut AlertTally,
    numbers: &mut HashMap<i64, i64>,
) -> Result<Vec<Alert>> {
    let mut new = Vec::new();
    for record in records {
        let theirs = record.to_alert(incident);
        let known = w
            .alerts(&AlertFilter {
                identity: Some((record.source, record.identity.clone())),
                ..AlertFilter::default()
            })?
            .pop();
        match known {
            None => {
                new.push(theirs);
                tally.added += 1;
            }
            Some(here) => {
                if let Some(theirs) = record.id {
                    numbers.insert(theirs, here.id);
                }
                let merged = alerts::merge(&here, &theirs);
                if merged != here {
                    w.save_alert(&merged)?;
                    tally.updated += 1;
                }
            }
        }
    }
    Ok(new)
}

/// Adds the alerts new here: first those whose numbers are free here,
/// which keep them, then the rest, which take the next ones (the timeline
/// names alerts by number, so as many as can keep theirs do).
fn add_alerts(w: &mut Writer<'_>, new: Vec<Alert>, numbers: &mut HashMap<i64, i64>) -> Result<()> {
    let mut taken = Vec::new();
    for alert in new {
        let free = alert.id > 0
            && w.alerts(&AlertFilter {
                id: Some(alert.id),
                ..AlertFilter::default()
            })?
            .is_empty();
        match free {
            true => {
                let here = w.transaction().put_alert(&alert, Put::Insert)?;
                numbers.insert(alert.id, here);
            }
            false => taken.push(alert),
        }
    }
    for alert in taken {
        let theirs = alert.id;
        let here = w
            .transaction()
            .put_alert(&Alert { id: 0, ..alert }, Put::Insert)?;
        if theirs > 0 {
            numbers.insert(theirs, here);
        }
    }
    Ok(())
}
