//! What `show` reads about one incident, in one round trip: the
//! statements of each read, pipelined, each decoded as its read decodes it.

use super::sql::Statement;
use super::{Db, alerts, assessments, events, incidents, response, retro};
use crate::domain::plans::SHOWN_KINDS;
use crate::store::{ActionFilter, AlertFilter, Dossier};
use anyhow::Result;

/// The dossier, but for the incident a duplicate points to (`primary`,
/// left `None`: read after, for the few duplicates).
pub fn read(db: &mut Db, id: i64, limit: Option<usize>) -> Result<Option<Dossier>> {
    let [timeline, count] = events::timeline_statements(id, limit);
    let [history, milestones] = response::facts_statements(id);
    let statements: [Statement; 10] = [
        incidents::get_statement(id),
        timeline,
        count,
        assessments::all_statement(id),
        history,
        milestones,
        events::of_kinds_statement(&[id], SHOWN_KINDS),
        alerts::select_statement(&AlertFilter {
            incident_id: Some(id),
            ..AlertFilter::default()
        }),
        retro::get_statement(id),
        retro::actions_statement(&ActionFilter {
            incident_id: Some(id),
            ..ActionFilter::default()
        }),
    ];
    let [
        incident,
        timeline,
        count,
        assessments,
        history,
        milestones,
        plans,
        alerts,
        retro,
        actions,
    ] = db.pipeline(&statements)?;
    let Some(incident) = incidents::one_of(incident)? else {
        return Ok(None);
    };
    let (timeline, total) = events::timeline_of(timeline, limit, count)?;
    Ok(Some(Dossier {
        incident,
        primary: None,
        timeline,
        total,
        assessment: assessments::all_of(assessments)?.pop(),
        facts: response::facts_from(db, id, history, milestones)?,
        plans: events::all_of(plans)?,
        alerts: alerts::select_of(alerts)?,
        retro: retro::get_of(retro)?,
        actions: retro::actions_of(actions)?,
    }))
}
