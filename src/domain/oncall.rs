//! On call, as rules: who a schedule puts on call at a moment, the shifts
//! coming, and where an escalation policy stands from what its pages
//! recorded. Shifts hand off at a wall-clock time in the schedule's time
//! zone, so a daily 09:00 handoff stays at 09:00 across a daylight-saving
//! change (the shift that spans it is an hour shorter or longer), and a
//! rotation counts calendar days, so a leap day is one more day like any
//! other. Pure: no clock, no storage.

use crate::domain::zone::Zone;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::Serialize;

/// How long one shift lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shift {
    /// From the handoff time one day to the same wall-clock time the next.
    Daily,
    /// Seven calendar days, handoff to handoff.
    Weekly,
    /// A fixed number of hours of real time (a 12-hour follow-the-sun
    /// shift, say), from the rotation's start.
    Hours(u32),
}

impl std::str::FromStr for Shift {
    type Err = String;
    fn from_str(s: &str) -> Result<Shift, String> {
        match s.trim() {
            "daily" => Ok(Shift::Daily),
            "weekly" => Ok(Shift::Weekly),
            other => match other.strip_suffix('h').and_then(|h| h.parse::<u32>().ok()) {
                Some(h) if (1..=24 * 28).contains(&h) => Ok(Shift::Hours(h)),
                _ => Err(format!(
                    "shift '{other}' is not \"daily\", \"weekly\" or a number of hours such as \"12h\""
                )),
            },
        }
    }
}

/// One layer of a schedule (primary, secondary, …): people taking turns.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub name: String,
    pub people: Vec<String>,
    /// When the first person's first shift began, as the schedule's wall
    /// clock reads it; later handoffs are at the same time of day.
    pub start: NaiveDateTime,
    pub shift: Shift,
}

/// A rotation: layers in a time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub name: String,
    pub time_zone: Zone,
    /// The first is the primary.
    pub layers: Vec<Layer>,
}

/// Someone taking a layer's shifts from one moment to another, recorded
/// with who arranged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    pub id: i64,
    pub schedule: String,
    pub layer: String,
    pub person: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// One stretch of time and who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turn {
    pub layer: String,
    pub person: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Someone standing in (an override), not the rotation's person.
    pub overridden: bool,
}

/// The instant the wall clock of `tz` reads `local`: in a gap (clocks
/// jumping forward) the first instant after it, when ambiguous (clocks
/// going back) the earlier.
fn instant(tz: &Zone, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..=180 {
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
        probe += Duration::minutes(1);
    }
    // No zone skips more than a few hours; treat the wall clock as UTC.
    Utc.from_utc_datetime(&local)
}

impl Layer {
    /// The shift holding `t` (in `tz`): its number from the first (negative
    /// before the start) and its bounds.
    fn shift_at(&self, tz: &Zone, t: DateTime<Utc>) -> (i64, DateTime<Utc>, DateTime<Utc>) {
        let start = instant(tz, self.start);
        match self.shift {
            Shift::Hours(h) => {
                let len = Duration::hours(i64::from(h));
                let n = (t - start).num_seconds().div_euclid(len.num_seconds());
                let from = start + len * n as i32;
                (n, from, from + len)
            }
            Shift::Daily | Shift::Weekly => {
                let days = if self.shift == Shift::Daily { 1 } else { 7 };
                let handoff: NaiveTime = self.start.time();
                let local = t.with_timezone(tz).naive_local();
                // The handoff date on or before `t`.
                let mut date: NaiveDate = local.date();
                if local.time() < handoff || instant(tz, date.and_time(handoff)) > t {
                    date = date.pred_opt().unwrap_or(date);
                }
                let elapsed = (date - self.start.date()).num_days();
                let n = elapsed.div_euclid(days);
                let first = self.start.date() + Duration::days(n * days);
                let from = instant(tz, first.and_time(handoff));
                let until = instant(tz, (first + Duration::days(days)).and_time(handoff));
                (n, from, until)
            }
        }
    }

    /// Who the rotation (without overrides) puts on this layer at `t`, and
    /// that shift's bounds.
    fn rotation_at(&self, tz: &Zone, t: DateTime<Utc>) -> Option<Turn> {
        if self.people.is_empty() {
            return None;
        }
        let (n, from, until) = self.shift_at(tz, t);
        let person = &self.people[n.rem_euclid(self.people.len() as i64) as usize];
        Some(Turn {
            layer: self.name.clone(),
            person: person.clone(),
            from,
            until,
            overridden: false,
        })
    }
}

impl Schedule {
    /// Who holds `layer` (the primary when `None`) at `t`, overrides
    /// included (the latest made wins where two overlap).
    pub fn on_call(&self, layer: Option<&str>, t: DateTime<Utc>, overrides: &[Override]) -> Option<Turn> {
        let layer = match layer {
            Some(name) => self.layers.iter().find(|l| l.name == name)?,
            None => self.layers.first()?,
        };
        let rotation = layer.rotation_at(&self.time_zone, t)?;
        let standing_in = overrides
            .iter()
            .filter(|o| o.schedule == self.name && o.layer == layer.name && o.from <= t && t < o.until)
            .max_by_key(|o| (o.at, o.id));
        Some(match standing_in {
            Some(o) => Turn {
                layer: layer.name.clone(),
                person: o.person.clone(),
                // The override's span, cut to the shift it falls in.
                from: o.from.max(rotation.from),
                until: o.until.min(rotation.until),
                overridden: true,
            },
            None => rotation,
        })
    }

    /// Every turn of every layer from `from` to `until`, in time order
    /// (by layer), overrides splitting the shifts they cover; the first of
    /// each layer from when it began.
    pub fn turns(&self, from: DateTime<Utc>, until: DateTime<Utc>, overrides: &[Override]) -> Vec<Turn> {
        let mut out = Vec::new();
        for layer in &self.layers {
            let mut t = from;
            let mut guard = 0;
            while t < until && guard < 10_000 {
                guard += 1;
                let Some(turn) = self.on_call(Some(&layer.name), t, overrides) else {
                    break;
                };
                // The turn ends at its shift's end or the next override's
                // start or end, whichever comes first.
                let next_edge = overrides
                    .iter()
                    .filter(|o| o.schedule == self.name && o.layer == layer.name)
                    .flat_map(|o| [o.from, o.until])
                    .filter(|e| *e > t)
                    .min();
                let end = [Some(turn.until), next_edge]
                    .into_iter()
                    .flatten()
                    .min()
                    .unwrap_or(turn.until);
                let end = end.max(t + Duration::seconds(1));
                match out.last_mut() {
                    Some(Turn {
                        layer: l,
                        person,
                        until: u,
                        overridden,
                        ..
                    }) if *l == turn.layer
                        && *person == turn.person
                        && *u == t
                        && *overridden == turn.overridden =>
                    {
                        *u = end.min(until.max(end));
                    }
                    _ => out.push(Turn {
                        from: if t == from { turn.from } else { t },
                        until: end,
                        ..turn
                    }),
                }
                t = end;
            }
        }
        out
    }
}

/// Whom one level of a policy pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Whoever a schedule's layer (the primary when `None`) has on call.
    Schedule {
        name: String,
        layer: Option<String>,
    },
    Person(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Schedule { name, layer: None } => write!(f, "schedule:{name}"),
            Target::Schedule {
                name,
                layer: Some(layer),
            } => write!(f, "schedule:{name}/{layer}"),
            Target::Person(p) => write!(f, "{p}"),
        }
    }
}

impl std::str::FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Target, String> {
        let s = s.trim();
        match s.strip_prefix("schedule:") {
            Some(rest) => {
                let (name, layer) = match rest.split_once('/') {
                    Some((n, l)) => (n, Some(l.to_string())),
                    None => (rest, None),
                };
                match name.is_empty() || layer.as_deref() == Some("") {
                    true => Err(format!(
                        "'{s}' names no schedule; write \"schedule:NAME\" or \"schedule:NAME/LAYER\""
                    )),
                    false => Ok(Target::Schedule {
                        name: name.to_string(),
                        layer,
                    }),
                }
            }
            None if s.is_empty() || s.contains(char::is_whitespace) => {
                Err(format!("'{s}' is not a person's name or \"schedule:NAME\""))
            }
            None => Ok(Target::Person(s.to_string())),
        }
    }
}

/// One level of an escalation policy: whom to page, and how long to wait
/// for an acknowledgement before the next level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLevel {
    pub page: Vec<Target>,
    pub wait: Duration,
}

/// Levels paged in turn until someone acknowledges; the whole run again
/// `repeat` more times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub levels: Vec<PolicyLevel>,
    pub repeat: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn zone(name: &str) -> Zone {
        name.parse().unwrap()
    }

    fn weekly(tz: Zone) -> Schedule {
        Schedule {
            name: "db".into(),
            time_zone: tz,
            layers: vec![
                Layer {
                    name: "primary".into(),
                    people: vec!["alice".into(), "bob".into()],
                    start: local("2026-03-02 09:00"),
                    shift: Shift::Weekly,
                },
                Layer {
                    name: "secondary".into(),
                    people: vec!["bob".into(), "alice".into()],
                    start: local("2026-03-02 09:00"),
                    shift: Shift::Weekly,
                },
            ],
        }
    }

    #[test]
    fn a_weekly_rotation_hands_off_at_nine_local_across_daylight_saving() {
        let s = weekly(zone("Europe/Berlin"));
        let who = |t: &str| s.on_call(None, utc(t), &[]).unwrap();
        // 09:00 CET is 08:00 UTC.
        assert_eq!(who("2026-03-02T08:00:00Z").person, "alice");
        assert_eq!(who("2026-03-09T07:59:59Z").person, "alice");
        assert_eq!(who("2026-03-09T08:00:00Z").person, "bob");
        // The clocks go forward on 29 March: 09:00 CEST is 07:00 UTC.
        let turn = who("2026-03-30T07:00:00Z");
        assert_eq!(turn.person, "alice");
        assert_eq!(turn.from, utc("2026-03-30T07:00:00Z"));
        assert_eq!(who("2026-03-30T06:59:59Z").person, "bob");
        // The shift that spans the change is an hour shorter.
        let spanning = who("2026-03-25T12:00:00Z");
        assert_eq!(spanning.until - spanning.from, Duration::hours(7 * 24 - 1));
        assert_eq!(
            s.on_call(Some("secondary"), utc("2026-03-02T08:00:00Z"), &[])
                .unwrap()
                .person,
            "bob"
        );
    }

    #[test]
    fn a_daily_rotation_counts_the_leap_day_and_keeps_its_hour_when_clocks_go_back() {
        let s = Schedule {
            name: "web".into(),
            time_zone: zone("America/New_York"),
            layers: vec![Layer {
                name: "primary".into(),
                people: vec!["a".into(), "b".into(), "c".into()],
                start: local("2028-02-27 08:00"),
                shift: Shift::Daily,
            }],
        };
        let who = |t: &str| s.on_call(None, utc(t), &[]).unwrap();
        // 27 Feb a, 28 Feb b, 29 Feb c, 1 Mar a (08:00 EST is 13:00 UTC).
        assert_eq!(who("2028-02-29T13:00:00Z").person, "c");
        assert_eq!(who("2028-03-01T12:59:59Z").person, "c");
        assert_eq!(who("2028-03-01T13:00:00Z").person, "a");
        // Clocks go back on 5 November 2028: 08:00 EST is 13:00 UTC again.
        let t = who("2028-11-05T13:00:00Z");
        assert_eq!(t.from, utc("2028-11-05T13:00:00Z"));
        assert_eq!(t.until - t.from, Duration::hours(24));
        let before = who("2028-11-05T12:00:00Z");
        assert_eq!(before.until - before.from, Duration::hours(25));
    }

    #[test]
    fn an_override_stands_in_for_its_span_and_the_latest_made_wins() {
        let s = weekly(Zone::utc());
        let mut o = Override {
            id: 1,
            schedule: "db".into(),
            layer: "primary".into(),
            person: "carol".into(),
            from: utc("2026-03-03T00:00:00Z"),
            until: utc("2026-03-04T00:00:00Z"),
            by: "alice".into(),
            at: utc("2026-03-01T00:00:00Z"),
        };
        let later = Override {
            id: 2,
            person: "dave".into(),
            from: utc("2026-03-03T12:00:00Z"),
            at: utc("2026-03-02T00:00:00Z"),
            ..o.clone()
        };
        let all = [o.clone(), later];
        assert_eq!(
            s.on_call(None, utc("2026-03-03T06:00:00Z"), &all).unwrap().person,
            "carol"
        );
        let dave = s.on_call(None, utc("2026-03-03T13:00:00Z"), &all).unwrap();
        assert!(dave.overridden && dave.person == "dave");
        assert_eq!(
            s.on_call(None, utc("2026-03-04T00:00:00Z"), &all).unwrap().person,
            "alice"
        );
        let turns = s.turns(utc("2026-03-02T09:00:00Z"), utc("2026-03-09T09:00:00Z"), &all);
        let primary: Vec<(&str, String)> = turns
            .iter()
            .filter(|t| t.layer == "primary")
            .map(|t| (t.person.as_str(), t.from.to_rfc3339()))
            .collect();
        assert_eq!(
            primary,
            [
                ("alice", "2026-03-02T09:00:00+00:00".to_string()),
                ("carol", "2026-03-03T00:00:00+00:00".to_string()),
                ("dave", "2026-03-03T12:00:00+00:00".to_string()),
                ("alice", "2026-03-04T00:00:00+00:00".to_string()),
            ]
        );
        o.layer = "secondary".into();
        assert_eq!(
            s.on_call(None, utc("2026-03-03T06:00:00Z"), &[o]).unwrap().person,
            "alice"
        );
    }

    #[test]
    fn shifts_of_hours_run_on_real_time_and_texts_parse() {
        let s = Schedule {
            name: "sun".into(),
            time_zone: zone("Europe/London"),
            layers: vec![Layer {
                name: "primary".into(),
                people: vec!["emea".into(), "amer".into()],
                start: local("2026-03-28 08:00"),
                shift: Shift::Hours(12),
            }],
        };
        // 08:00 GMT; the clocks change on the 29th, the shifts do not.
        assert_eq!(
            s.on_call(None, utc("2026-03-29T19:59:00Z"), &[]).unwrap().person,
            "emea"
        );
        assert_eq!(
            s.on_call(None, utc("2026-03-29T20:00:00Z"), &[]).unwrap().person,
            "amer"
        );
        assert_eq!("12h".parse::<Shift>(), Ok(Shift::Hours(12)));
        assert!("fortnightly".parse::<Shift>().unwrap_err().contains("\"12h\""));
    }
}
