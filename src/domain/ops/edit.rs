//! Changing what was said at declaration: one `edited` event per field.

use super::{Change, Listed, Refusal};
use crate::domain::event::Edit;
use crate::domain::{Category, DetectedBy, EventData, Incident};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// What an edit asks for; each part is optional.
#[derive(Debug, Clone, Default)]
pub struct EditRequest {
    pub title: Option<String>,
    pub category: Option<Category>,
    pub add_services: Vec<String>,
    pub remove_services: Vec<String>,
    pub summary: Option<String>,
    pub detected_by: Option<DetectedBy>,
    pub started_at: Option<DateTime<Utc>>,
    pub add_channels: Vec<String>,
    pub remove_channels: Vec<String>,
    /// Tags to set (a key given twice: the last value).
    pub set_tags: Vec<(String, String)>,
    pub remove_tags: Vec<String>,
    /// The resolution summary (of a resolved or closed incident).
    pub resolution: Option<String>,
    /// The title the status page shows: (the one it has, the new one).
    pub public_title: Option<(Option<String>, String)>,
}

/// Changes what was said at declaration: one `edited` event per field that
/// changes, with its value before and after. Refused when nothing differs
/// or a removal names what is not listed.
pub fn edit(incident: &Incident, request: &EditRequest, now: DateTime<Utc>) -> Result<Change, Refusal> {
    let mut edits: Vec<(Edit, String)> = Vec::new();
    if let Some(title) = request.title.as_ref().filter(|t| **t != incident.title) {
        let said = format!("Title \"{}\" → \"{title}\"", incident.title);
        let edit = Edit::Title {
            from: incident.title.clone(),
            to: title.clone(),
        };
        edits.push((edit, said));
    }
    if let Some(category) = request.category.filter(|c| *c != incident.category) {
        let said = format!("Category {} → {category}", incident.category);
        let edit = Edit::Category {
            from: incident.category,
            to: category,
        };
        edits.push((edit, said));
    }
    let lists = [
        (
            Listed::Services,
            &incident.services,
            &request.add_services,
            &request.remove_services,
        ),
        (
            Listed::Channels,
            &incident.channels,
            &request.add_channels,
            &request.remove_channels,
        ),
    ];
    for (list, before, add, remove) in lists {
        let Some(after) = changed_list(list, before, add, remove)? else {
            continue;
        };
        let shown = |l: &[String]| match l.is_empty() {
            true => "none".to_string(),
            false => l.join(", "),
        };
        let (name, edit) = match list {
            Listed::Services => (
                "Services",
                Edit::Services {
                    from: before.clone(),
                    to: after.clone(),
                },
            ),
            _ => (
                "Channels",
                Edit::Channels {
                    from: before.clone(),
                    to: after.clone(),
                },
            ),
        };
        edits.push((edit, format!("{name} {} → {}", shown(before), shown(&after))));
    }
    if let Some(summary) = request
        .summary
        .as_ref()
        .filter(|s| incident.summary.as_ref() != Some(*s))
    {
        let edit = Edit::Summary {
            from: incident.summary.clone(),
            to: Some(summary.clone()),
        };
        edits.push((edit, format!("Summary: {summary}")));
    }
    if let Some(by) = request.detected_by.filter(|d| incident.detected_by != Some(*d)) {
        let said = match incident.detected_by {
            Some(from) => format!("Detected by {from} → {by}"),
            None => format!("Detected by {by}"),
        };
        let edit = Edit::DetectedBy {
            from: incident.detected_by,
            to: Some(by),
        };
        edits.push((edit, said));
    }
    if let Some(start) = request.started_at.and_then(|at| start_edit(incident, at)) {
        edits.push(start);
    }
    if let Some(tags) = changed_tags(&incident.tags, &request.set_tags, &request.remove_tags)? {
        let shown = |t: &BTreeMap<String, String>| match t.is_empty() {
            true => "none".to_string(),
            false => crate::domain::plans::tag_list(t).join(", "),
        };
        let said = format!("Tags {} → {}", shown(&incident.tags), shown(&tags));
        let edit = Edit::Tags {
            from: incident.tags.clone(),
            to: tags,
        };
        edits.push((edit, said));
    }
    if let Some(resolution) = request
        .resolution
        .as_ref()
        .filter(|r| incident.resolution.as_ref() != Some(*r))
    {
        if incident.resolved_at.is_none() {
            return Err(Refusal::NotResolved(incident.status));
        }
        let edit = Edit::Resolution {
            from: incident.resolution.clone(),
            to: Some(resolution.clone()),
        };
        edits.push((edit, format!("Resolution: {resolution}")));
    }
    if let Some((from, to)) = request
        .public_title
        .as_ref()
        .filter(|(from, to)| from.as_ref() != Some(to))
    {
        let edit = Edit::PublicTitle {
            from: from.clone(),
            to: Some(to.clone()),
        };
        edits.push((edit, format!("Public title: {to}")));
    }
    if edits.is_empty() {
        return Err(Refusal::NothingToEdit);
    }
    let mut change = Change::of(incident);
    for (edit, said) in edits {
        change = change.record(now, EventData::Edited(edit), said);
    }
    Ok(change)
}

/// Sets the start of impact to `at`: one `edited` event, as `edit
/// --started-at` records it; empty when the incident already says `at`.
/// An assessment records it when its answer differs.
pub(super) fn set_start(incident: &Incident, at: DateTime<Utc>, now: DateTime<Utc>) -> Change {
    let change = Change::of(incident);
    match start_edit(incident, at) {
        Some((edit, said)) => change.record(now, EventData::Edited(edit), said),
        None => change,
    }
}

/// The edit that moves the start of impact to `at`, and its words.
fn start_edit(incident: &Incident, at: DateTime<Utc>) -> Option<(Edit, String)> {
    if incident.started_at == Some(at) {
        return None;
    }
    let shown = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let said = match incident.started_at {
        Some(from) => format!("Impact started {} → {}", shown(from), shown(at)),
        None => format!("Impact started {}", shown(at)),
    };
    let edit = Edit::StartedAt {
        from: incident.started_at,
        to: Some(at),
    };
    Some((edit, said))
}

/// The list after removing and adding, or `None` when that changes
/// nothing; removing what it does not hold is refused.
fn changed_list(
    list: Listed,
    before: &[String],
    add: &[String],
    remove: &[String],
) -> Result<Option<Vec<String>>, Refusal> {
    if let Some(gone) = remove.iter().find(|r| !before.contains(r)) {
        return Err(Refusal::NotListed {
            list,
            item: gone.clone(),
            listed: before.to_vec(),
        });
    }
    let mut after: Vec<String> = before.iter().filter(|s| !remove.contains(s)).cloned().collect();
    for item in add {
        if !after.contains(item) {
            after.push(item.clone());
        }
    }
    Ok((after != before).then_some(after))
}

/// The tags after removing and setting, or `None` when that changes
/// nothing; removing a key it does not have is refused.
fn changed_tags(
    before: &BTreeMap<String, String>,
    set: &[(String, String)],
    remove: &[String],
) -> Result<Option<BTreeMap<String, String>>, Refusal> {
    if let Some(gone) = remove.iter().find(|k| !before.contains_key(*k)) {
        return Err(Refusal::NotListed {
            list: Listed::Tags,
            item: gone.clone(),
            listed: before.keys().cloned().collect(),
        });
    }
    let mut after = before.clone();
    for key in remove {
        after.remove(key);
    }
    for (key, value) in set {
        after.insert(key.clone(), value.clone());
    }
    Ok((after != *before).then_some(after))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn an_edit_records_each_changed_field_from_and_to() {
        let incident = Incident {
            services: vec!["checkout".into()],
            ..Incident::example()
        };
        let request = EditRequest {
            title: Some("Customer data exposed".into()),
            category: Some(Category::Security),
            add_services: vec!["auth".into()],
            remove_services: vec!["checkout".into()],
            summary: Some("a DDoS turned out to hide a leak".into()),
            set_tags: vec![("team".into(), "sec".into())],
            ..EditRequest::default()
        };
        let change = edit(&incident, &request, t("09:00")).unwrap();
        let texts: Vec<&str> = change.events.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Title \"Checkout returns 500s\" → \"Customer data exposed\"",
                "Category availability → security",
                "Services checkout → auth",
                "Summary: a DDoS turned out to hide a leak",
                "Tags none → team=sec",
            ]
        );
        assert_eq!(change.incident.category, Category::Security);
        assert_eq!(change.incident.services, ["auth"]);
        assert_eq!(change.incident.tags["team"], "sec");
        assert!(matches!(
            edit(&change.incident, &request, t("09:05")),
            Err(Refusal::NotListed {
                list: Listed::Services,
                ..
            })
        ));
        let same = EditRequest {
            category: Some(Category::Security),
            ..EditRequest::default()
        };
        assert_eq!(
            edit(&change.incident, &same, t("09:05")).unwrap_err(),
            Refusal::NothingToEdit
        );
    }

    /// The stored form of every edit is what earlier releases wrote.
    #[test]
    fn edits_are_stored_as_before() {
        let incident = Incident {
            started_at: Some(t("07:40")),
            ..Incident::example()
        };
        let request = EditRequest {
            started_at: Some(t("07:50")),
            detected_by: Some(DetectedBy::Customer),
            remove_tags: vec![],
            ..EditRequest::default()
        };
        let change = edit(&incident, &request, t("09:00")).unwrap();
        let stored: Vec<String> = change
            .events
            .iter()
            .map(|e| e.data.to_stored().1.unwrap())
            .collect();
        assert_eq!(
            stored,
            [
                r#"{"field":"detected_by","from":null,"to":"customer"}"#,
                r#"{"field":"started_at","from":"2026-11-23T07:40:00Z","to":"2026-11-23T07:50:00Z"}"#,
            ]
        );
    }

    #[test]
    fn a_public_title_is_an_edit_of_its_own_and_the_same_one_is_nothing() {
        let i = Incident::example();
        let request = EditRequest {
            public_title: Some((None, "Checkout errors".into())),
            ..EditRequest::default()
        };
        let change = edit(&i, &request, i.declared_at).unwrap();
        assert_eq!(
            change.incident, i,
            "the row is unchanged: the title lives on the timeline"
        );
        assert_eq!(change.events[0].text, "Public title: Checkout errors");
        let same = EditRequest {
            public_title: Some((Some("Checkout errors".into()), "Checkout errors".into())),
            ..EditRequest::default()
        };
        assert!(matches!(
            edit(&i, &same, i.declared_at),
            Err(Refusal::NothingToEdit)
        ));
    }

    #[test]
    fn a_resolution_is_given_or_corrected_after_resolving_only() {
        let open = Incident::example();
        let request = EditRequest {
            resolution: Some("Rolled back 4821".into()),
            ..EditRequest::default()
        };
        assert_eq!(
            edit(&open, &request, t("09:00")).err(),
            Some(Refusal::NotResolved(crate::domain::Status::Investigating))
        );
        let resolved = Incident {
            status: crate::domain::Status::Resolved,
            resolved_at: Some(t("08:50")),
            ..Incident::example()
        };
        let change = edit(&resolved, &request, t("09:00")).unwrap();
        assert_eq!(change.incident.resolution.as_deref(), Some("Rolled back 4821"));
        assert_eq!(change.events[0].text, "Resolution: Rolled back 4821");
        assert_eq!(
            change.events[0].data.to_stored().1.unwrap(),
            r#"{"field":"resolution","from":null,"to":"Rolled back 4821"}"#
        );
    }
}
