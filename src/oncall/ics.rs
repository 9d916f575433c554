//! On-call shifts as iCalendar (RFC 5545), through the `icalendar` crate:
//! any schedule written out for people's calendars, and a rotation read in
//! from a calendar another tool exported (Grafana OnCall, GoAlert, Cabot),
//! each of its events becoming an override.

use crate::domain::oncall::Turn;
use crate::domain::zone::Zone;
use chrono::{DateTime, TimeZone, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime, EventLike};

/// `turns` of `schedule` as a calendar; `stamp` is when it was made.
pub fn export(schedule: &str, turns: &[Turn], stamp: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&format!("{schedule} on call"));
    for t in turns {
        let event = icalendar::Event::new()
            .uid(&format!("{schedule}-{}-{}@incident", t.layer, t.from.timestamp()))
            .summary(&format!("{schedule} {}: {}", t.layer, t.person))
            .description(match t.overridden {
                true => "standing in (an override)",
                false => "the rotation",
            })
            .timestamp(stamp)
            .starts(t.from)
            .ends(t.until)
            .add_property("X-INCIDENT-PERSON", &t.person)
            .add_property("X-INCIDENT-LAYER", &t.layer)
            .done();
        calendar.push(event);
    }
    calendar.done().to_string()
}

/// One shift a calendar holds: who, from when, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub person: String,
    /// The layer our own export said it was of.
    pub layer: Option<String>,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// The shifts of a calendar, each person found among `people` (the names
/// the configuration knows, with their e-mail addresses): by our own
/// `X-INCIDENT-PERSON`, an attendee's address or name, else a name in the
/// summary. The error names the event that cannot be read.
pub fn import(text: &str, people: &[(String, Option<String>)]) -> Result<Vec<Shift>, String> {
    let calendar: Calendar = text
        .parse()
        .map_err(|e: String| format!("not an iCalendar file: {}", crate::text::one_line(&e)))?;
    let mut out = Vec::new();
    for (n, event) in calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .enumerate()
    {
        let label = format!(
            "event #{} ({})",
            n + 1,
            crate::text::one_line(event.get_summary().unwrap_or("no summary"))
        );
        let from = instant(event.get_start())
            .ok_or_else(|| format!("{label}: its start has no time zone or no time"))?;
        let until = instant(event.get_end())
            .ok_or_else(|| format!("{label}: its end has no time zone or no time"))?;
        if until <= from {
            return Err(format!("{label}: it ends before it starts"));
        }
        let person = person_of(event, people).ok_or_else(|| {
            format!(
                "{label}: names nobody the configuration knows; add them to [people] (by name, or with their email)"
            )
        })?;
        let layer = event.property_value("X-INCIDENT-LAYER").map(str::to_string);
        out.push(Shift {
            person,
            layer,
            from,
            until,
        });
    }
    if out.is_empty() {
        return Err("the calendar holds no events".into());
    }
    Ok(out)
}

fn instant(t: Option<DatePerhapsTime>) -> Option<DateTime<Utc>> {
    match t? {
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(_)) => None,
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(t)) => Some(t),
        // As icalendar's own `try_into_utc` reads it: a wall clock time
        // that is ambiguous or skipped in its zone has no one instant.
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => tzid
            .parse::<Zone>()
            .ok()
            .and_then(|zone| zone.from_local_datetime(&date_time).single())
            .map(|t| t.with_timezone(&Utc)),
        DatePerhapsTime::Date(_) => None,
    }
}

fn person_of(event: &icalendar::Event, people: &[(String, Option<String>)]) -> Option<String> {
    let known = |name: &str| {
        people
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(name.trim()))
            .map(|(p, _)| p.clone())
    };
    if let Some(p) = event.property_value("X-INCIDENT-PERSON").and_then(known) {
        return Some(p);
    }
    let attendees = event.multi_properties().get("ATTENDEE").into_iter().flatten();
    for a in attendees {
        let address = a
            .value()
            .trim_start_matches("mailto:")
            .trim_start_matches("MAILTO:");
        if let Some((p, _)) = people
            .iter()
            .find(|(_, email)| email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(address)))
        {
            return Some(p.clone());
        }
        if let Some(p) = a.params().get("CN").and_then(|cn| known(cn.value())) {
            return Some(p);
        }
    }
    let summary = event.get_summary()?;
    summary
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '_' && c != '.')
        .find_map(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn shifts_go_out_and_come_back_in_through_the_parser() {
        let turns = vec![
            Turn {
                layer: "primary".into(),
                person: "alice".into(),
                from: utc("2026-03-02T08:00:00Z"),
                until: utc("2026-03-09T08:00:00Z"),
                overridden: false,
            },
            Turn {
                layer: "primary".into(),
                person: "bob".into(),
                from: utc("2026-03-09T08:00:00Z"),
                until: utc("2026-03-16T07:00:00Z"),
                overridden: true,
            },
        ];
        let text = export("db", &turns, utc("2026-03-01T00:00:00Z"));
        assert!(text.contains("SUMMARY:db primary: alice"), "{text}");
        let people = vec![("alice".to_string(), None), ("bob".to_string(), None)];
        let back = import(&text, &people).unwrap();
        assert_eq!(
            back,
            [
                Shift {
                    person: "alice".into(),
                    layer: Some("primary".into()),
                    from: turns[0].from,
                    until: turns[0].until
                },
                Shift {
                    person: "bob".into(),
                    layer: Some("primary".into()),
                    from: turns[1].from,
                    until: turns[1].until
                },
            ]
        );
    }

    #[test]
    fn another_tools_calendar_is_read_by_attendee_time_zone_or_summary() {
        // As GoAlert and Grafana OnCall write theirs: a TZID time, an
        // attendee by address, a summary naming the person.
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//other//EN\r\n\
BEGIN:VEVENT\r\nUID:1@other\r\nDTSTAMP:20260301T000000Z\r\n\
DTSTART;TZID=Europe/Berlin:20260302T090000\r\nDTEND;TZID=Europe/Berlin:20260309T090000\r\n\
SUMMARY:On-Call (Other): Erin\r\nATTENDEE;CN=Erin Example:mailto:erin@example.org\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:2@other\r\nDTSTAMP:20260301T000000Z\r\n\
DTSTART:20260309T080000Z\r\nDTEND:20260316T070000Z\r\nSUMMARY:[L1] frank\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
        let people = vec![
            ("erin".to_string(), Some("erin@example.org".to_string())),
            ("frank".to_string(), None),
        ];
        let shifts = import(text, &people).unwrap();
        assert_eq!(shifts[0].person, "erin");
        assert_eq!(shifts[0].from, utc("2026-03-02T08:00:00Z"));
        assert_eq!(shifts[1].person, "frank");
        let unknown = import(text, &people[..1]).unwrap_err();
        assert!(
            unknown.contains("event #2 ([L1] frank): names nobody"),
            "{unknown}"
        );
        assert!(
            import("hello", &people)
                .unwrap_err()
                .starts_with("not an iCalendar file")
        );
    }
}
