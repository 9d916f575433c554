//! Every read as a statement and the decoder of its rows, so that a batch
//! of reads goes to the server in one pipeline: one round trip.

use super::sql::{Statement, col};
use super::{Db, alerts, assessments, deliveries, events, incidents, retro, settled};
use crate::store::{Found, Read};
use anyhow::Result;
use tokio_postgres::Row;

type Decode = Box<dyn FnOnce(Vec<Row>) -> Result<Found>>;

/// A read's statement and decoder; `None` for the few that take more than
/// one statement, which run on their own.
fn plan(read: &Read<'_>) -> Option<(Statement, Decode)> {
    let count = |rows: Vec<Row>| -> Result<usize> {
        rows.first()
            .map(|r| col::<i64>(r, 0))
            .transpose()
            .map(|n| n.map_or(0, |n| n.max(0) as usize))
    };
    Some(match *read {
        Read::Incident(id) => (
            incidents::get_statement(id),
            Box::new(|rows| Ok(Found::Incident(incidents::one_of(rows)?))),
        ),
        Read::Count(filter) => (
            incidents::count_statement(filter),
            Box::new(move |rows| Ok(Found::Count(count(rows)?))),
        ),
        Read::Events(query) => {
            let (statement, newest_first) = events::query_statement(&query)?;
            (
                statement,
                Box::new(move |rows| Ok(Found::Events(events::query_of(rows, newest_first)?))),
            )
        }
        Read::EventCount(id) => (
            events::count_statement(id),
            Box::new(move |rows| Ok(Found::Count(count(rows)?))),
        ),
        Read::Newest => (
            events::newest_statement(),
            Box::new(|rows| {
                let newest = rows.first().map(|r| col::<i64>(r, 0)).transpose()?;
                Ok(Found::Newest(newest.unwrap_or(0)))
            }),
        ),
        Read::Chain(id) => (
            events::chain_statement(id),
            Box::new(|rows| Ok(Found::Chain(events::chain_of(rows)?))),
        ),
        Read::Roles(id) => (
            incidents::roles_statement(id),
            Box::new(|rows| Ok(Found::Roles(incidents::roles_of(rows)?))),
        ),
        Read::Assessments(of) => (
            assessments::select_statement(of),
            Box::new(|rows| Ok(Found::Assessments(assessments::select_of(rows)?))),
        ),
        Read::Retro(id) => (
            retro::get_statement(id),
            Box::new(|rows| Ok(Found::Retro(retro::get_of(rows)?))),
        ),
        Read::RetroDraft(id) => (
            retro::draft_statement(id),
            Box::new(|rows| Ok(Found::RetroDraft(retro::draft_of(rows)?))),
        ),
        Read::Actions(filter) => (
            retro::actions_statement(filter),
            Box::new(|rows| Ok(Found::Actions(retro::actions_of(rows)?))),
        ),
        Read::Alerts(filter) => (
            alerts::select_statement(filter),
            Box::new(|rows| Ok(Found::Alerts(alerts::select_of(rows)?))),
        ),
        Read::Changes { since, until } => (
            incidents::changes_statement(since, until),
            Box::new(|rows| Ok(Found::Changes(incidents::changes_of(rows)?))),
        ),
        Read::Renumbered(of) => (
            events::renumbered_statement(of),
            Box::new(|rows| Ok(Found::Renumbered(events::renumbered_of(rows)?))),
        ),
        Read::AlertSeals(filter) => (
            alerts::seals_statement(filter),
            Box::new(|rows| Ok(Found::AlertSeals(alerts::seals_of(rows)?))),
        ),
        Read::Arrivals { after, limit } => (
            deliveries::arrivals_statement(after, limit),
            Box::new(|rows| Ok(Found::Arrivals(deliveries::arrivals_of(rows)?))),
        ),
        Read::Deliveries => (
            deliveries::deliveries_statement(),
            Box::new(|rows| Ok(Found::Deliveries(deliveries::deliveries_of(rows)?))),
        ),
        Read::Rooms(destination) => (
            deliveries::rooms_statement(destination),
            Box::new(|rows| Ok(Found::Rooms(deliveries::rooms_of(rows)?))),
        ),
        Read::Overrides { schedule, after } => (
            deliveries::overrides_statement(schedule, after),
            Box::new(|rows| Ok(Found::Overrides(deliveries::overrides_of(rows)?))),
        ),
        Read::ComponentMarks => (
            super::statuspage::marks_statement(),
            Box::new(|rows| Ok(Found::ComponentMarks(super::statuspage::marks_of(rows)?))),
        ),
        Read::Maintenances(after) => (
            super::statuspage::maintenances_statement(after),
            Box::new(|rows| Ok(Found::Maintenances(super::statuspage::maintenances_of(rows)?))),
        ),
        Read::Seen(sources) => (
            deliveries::seen_statement(sources),
            Box::new(|rows| Ok(Found::Seen(deliveries::seen_of(rows)?))),
        ),
        Read::Search { query, filter } => {
            let (query, limit) = ((*query).clone(), filter.limit);
            (
                super::search::statement(&query, filter),
                Box::new(move |rows| Ok(Found::Hits(super::search::hits_of(rows, &query, limit)?))),
            )
        }
        Read::Settled { .. } => return None,
    })
}

/// A read that takes more than one statement, on its own.
fn alone(db: &mut Db, read: &Read<'_>) -> Result<Found> {
    match *read {
        Read::Settled { key, since } => Ok(Found::Settled(settled::groups_since(db, key, since)?)),
        Read::Events(query) => Ok(Found::Events(events::query_in_two(db, &query)?)),
        _ => Err(anyhow::anyhow!("{read:?} has a statement of its own")),
    }
}

/// Answers the reads in order: those of one statement together in one
/// pipeline, the rest after it.
pub fn batch(db: &mut Db, reads: &[Read<'_>]) -> Result<Vec<Found>> {
    let plans: Vec<Option<(Statement, Decode)>> = reads.iter().map(plan).collect();
    let statements: Vec<Statement> = plans
        .iter()
        .filter_map(|p| p.as_ref().map(|(s, _)| s.clone()))
        .collect();
    let mut rows = db.pipeline_vec(&statements)?.into_iter();
    let mut found = Vec::with_capacity(reads.len());
    for (read, plan) in reads.iter().zip(plans) {
        found.push(match plan {
            Some((_, decode)) => decode(rows.next().unwrap_or_default())?,
            None => alone(db, read)?,
        });
    }
    Ok(found)
}
