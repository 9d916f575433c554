//! Time and duration parsing and formatting. Pure: the clock and the time zone
//! are parameters, so every form is unit-tested against a fixed "now".
//!
//! Accepted times: RFC 3339, `YYYY-MM-DD HH:MM` and `HH:MM` in local time,
//! `today HH:MM`, `yesterday HH:MM`, a weekday (`mon`, `monday 14:00`: the
//! nearest such day on the side the time leans to), `now`, `15m ago`, `in 30m`. Durations: `30m`, `4h`, `3d`, `90s`,
//! `1w`, compounds such as `1h30m`, and spelled-out units (`10 min`, `2 hours`).

use chrono::{
    DateTime, Datelike, Duration, Local, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc,
};
use std::fmt;

/// A time parse failure; the message says which forms are accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// The accepted forms, as the hint for a time that leans `lean`: a time
/// that must have passed is not offered `in 30m`, nor a deadline `15m ago`.
fn time_forms(lean: Lean) -> &'static str {
    match lean {
        Lean::Past => {
            "use 'HH:MM', 'yesterday HH:MM', a weekday ('mon 14:00'), 'YYYY-MM-DD HH:MM', RFC 3339, 'now' or '15m ago'"
        }
        Lean::Future => {
            "use 'HH:MM', 'tomorrow HH:MM', a weekday ('mon 14:00'), 'YYYY-MM-DD HH:MM', RFC 3339 or 'in 30m'"
        }
    }
}
const DURATION_FORMS: &str = "use a number and a unit, e.g. '90s', '30m', '4h', '3d', '1h30m'";

/// Which way a bare `HH:MM` leans when it is not today's obvious reading.
///
/// A scribe backdating at 00:10 who types `23:55` means five minutes ago, not
/// tonight; a commander promising the next update at `00:30` while it is 23:50
/// means tomorrow. `Past` and `Future` pick the nearest such time on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lean {
    Past,
    Future,
}

/// Parses a duration such as `30m`, `4h`, `3d`, `1h30m` or `10 min`.
pub fn parse_duration(input: &str) -> Result<Duration, ParseError> {
    let text = input.trim();
    let bad = || ParseError(format!("invalid duration '{input}': {DURATION_FORMS}"));
    if text.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::zero();
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(bad());
        }
        let number: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = rest[digits..].trim_start();
        let unit_len = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
        let seconds_per_unit = match rest[..unit_len].to_ascii_lowercase().as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
            "d" | "day" | "days" => 86_400,
            "w" | "wk" | "week" | "weeks" => 604_800,
            _ => return Err(bad()),
        };
        let seconds = number.checked_mul(seconds_per_unit).ok_or_else(bad)?;
        // Bound to a century: anything longer is a typo, and it keeps the
        // arithmetic on timestamps far from chrono's limits.
        total = total
            .checked_add(&Duration::try_seconds(seconds).ok_or_else(bad)?)
            .filter(|d| *d <= Duration::days(36_500))
            .ok_or_else(bad)?;
        rest = rest[unit_len..].trim_start();
    }
    Ok(total)
}

/// Why a time that must have passed was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotPast {
    /// Not a time at all.
    Invalid(ParseError),
    /// A time after `now` (whole seconds).
    Future(DateTime<Utc>),
}

/// Parses a time that must have passed (when something happened or
/// started): at whole seconds, and not after `now`. The one rule for
/// every option and answers file that asks for one.
pub fn parse_past<Tz: TimeZone>(input: &str, now: DateTime<Utc>, tz: &Tz) -> Result<DateTime<Utc>, NotPast> {
    let t = parse_time(input, now, tz, Lean::Past)
        .map(truncate)
        .map_err(NotPast::Invalid)?;
    match t > now {
        true => Err(NotPast::Future(t)),
        false => Ok(t),
    }
}

/// The years every time the record holds falls in: what both backends,
/// the stored text form and the export format hold. Every entry (the
/// command line, answers files, webhooks, imports) keeps to it, so
/// whatever is recorded exports and imports back.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// Whether a time falls in [`YEARS`].
pub fn in_range(t: DateTime<Utc>) -> bool {
    YEARS.contains(&chrono::Datelike::year(&t))
}

/// `t`, or the error that says it is outside [`YEARS`].
fn within_years(input: &str, t: DateTime<Utc>) -> Result<DateTime<Utc>, ParseError> {
    match in_range(t) {
        true => Ok(t),
        false => Err(ParseError(format!(
            "time '{}' is outside the years {}-{} the record holds",
            input.trim(),
            YEARS.start(),
            YEARS.end()
        ))),
    }
}

/// Parses a point in time relative to `now`, reading wall-clock forms in
/// `tz`; a time outside [`YEARS`] is refused.
pub fn parse_time<Tz: TimeZone>(
    input: &str,
    now: DateTime<Utc>,
    tz: &Tz,
    lean: Lean,
) -> Result<DateTime<Utc>, ParseError> {
    within_years(input, parse_any_time(input, now, tz, lean)?)
}

fn parse_any_time<Tz: TimeZone>(
    input: &str,
    now: DateTime<Utc>,
    tz: &Tz,
    lean: Lean,
) -> Result<DateTime<Utc>, ParseError> {
    let text = input.trim();
    let bad = || ParseError(format!("invalid time '{input}': {}", time_forms(lean)));
    if text.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Some(ago) = strip_suffix_ignore_case(text, "ago") {
        let span = parse_duration(ago).map_err(|_| bad())?;
        return now.checked_sub_signed(span).ok_or_else(bad);
    }
    if let Some(ahead) = strip_prefix_ignore_case(text, "in ") {
        let span = parse_duration(ahead).map_err(|_| bad())?;
        return now.checked_add_signed(span).ok_or_else(bad);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return local_to_utc(tz, naive).ok_or_else(bad);
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return local_to_utc(tz, date.and_time(NaiveTime::MIN)).ok_or_else(bad);
    }
    if let Some(t) = day_and_clock(text, now, tz, lean) {
        return t.ok_or_else(bad);
    }
    if let Ok(clock) = NaiveTime::parse_from_str(text, "%H:%M") {
        let today = now.with_timezone(tz).date_naive();
        let candidate = local_to_utc(tz, today.and_time(clock)).ok_or_else(bad)?;
        let day = Duration::days(1);
        return Ok(match lean {
            Lean::Past if candidate > now => candidate - day,
            Lean::Future if candidate < now => candidate + day,
            _ => candidate,
        });
    }
    Err(bad())
}

/// `today HH:MM`, `yesterday HH:MM`, `tomorrow HH:MM`, or a weekday with an
/// optional `HH:MM` (midnight without): the nearest such day on the side
/// `lean` says, today included when its time is on that side. `None` when
/// the text names no day; `Some(None)` when it does but the time is bad.
fn day_and_clock<Tz: TimeZone>(
    text: &str,
    now: DateTime<Utc>,
    tz: &Tz,
    lean: Lean,
) -> Option<Option<DateTime<Utc>>> {
    let mut words = text.split_whitespace();
    let day = words.next()?.to_ascii_lowercase();
    let clock = match (words.next(), words.next()) {
        (None, _) => None,
        (Some(clock), None) => Some(clock),
        _ => return None,
    };
    let today = now.with_timezone(tz).date_naive();
    let at = |date: NaiveDate, clock: NaiveTime| local_to_utc(tz, date.and_time(clock));
    let relative = match day.as_str() {
        "today" => Some(0),
        "yesterday" => Some(-1),
        "tomorrow" => Some(1),
        _ => None,
    };
    if let Some(offset) = relative {
        let clock = NaiveTime::parse_from_str(clock?, "%H:%M").ok();
        return Some(clock.and_then(|c| at(today + Duration::days(offset), c)));
    }
    let weekday: chrono::Weekday = day.parse().ok()?;
    let clock = match clock {
        None => NaiveTime::MIN,
        Some(c) => match NaiveTime::parse_from_str(c, "%H:%M") {
            Ok(c) => c,
            Err(_) => return Some(None),
        },
    };
    // Seven days either way from today: the first on the leaning side.
    let days: Vec<i64> = match lean {
        Lean::Past => (0..8).map(|d| -d).collect(),
        Lean::Future => (0..8).collect(),
    };
    for d in days {
        let date = today + Duration::days(d);
        if date.weekday() != weekday {
            continue;
        }
        let Some(t) = at(date, clock) else { continue };
        let on_side = match lean {
            Lean::Past => t <= now,
            Lean::Future => t >= now,
        };
        if on_side {
            return Some(Some(t));
        }
    }
    Some(None)
}

/// Parses "when is the next one due": a duration from now (`30m`) or a time.
pub fn parse_deadline<Tz: TimeZone>(
    input: &str,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Result<DateTime<Utc>, ParseError> {
    match parse_duration(input) {
        Ok(span) => now
            .checked_add_signed(span)
            .ok_or_else(|| ParseError(format!("invalid time '{input}': too far ahead")))
            .and_then(|t| within_years(input, t)),
        Err(_) => parse_time(input, now, tz, Lean::Future).map_err(|_| {
            ParseError(format!(
                "invalid time '{input}': use a duration from now ('30m', '2h') or a time ('14:30', 'tomorrow 09:00', 'YYYY-MM-DD HH:MM')"
            ))
        }),
    }
}

/// Resolves a wall-clock time; in a DST gap there is no such time, in an
/// overlap the earlier reading is the one a person most likely meant.
fn local_to_utc<Tz: TimeZone>(tz: &Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(early, _) => Some(early.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(suffix.len())?;
    (text.is_char_boundary(cut) && text[cut..].eq_ignore_ascii_case(suffix)).then(|| text[..cut].trim_end())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    (text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| text[prefix.len()..].trim_start())
}

/// The storage and JSON form: RFC 3339 in UTC at whole seconds. Fixed width, so
/// text order is time order in SQLite.
pub fn to_rfc3339(t: DateTime<Utc>) -> String {
    // Written field by field: `format` reparses its pattern on every call,
    // which was the largest cost of `list --json` over 100,000 incidents.
    if !(0..=9999).contains(&t.year()) {
        return t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    // Digits into a fixed buffer: even `format!` was a tenth of `list --json`.
    let mut b = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, width: usize, mut n: u32| {
        for i in (at..at + width).rev() {
            b[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, t.year() as u32);
    put(5, 2, t.month());
    put(8, 2, t.day());
    put(11, 2, t.hour());
    put(14, 2, t.minute());
    put(17, 2, t.second());
    String::from_utf8_lossy(&b).into_owned()
}

/// How a time is shown to a person: local wall-clock time to the minute.
pub fn human<Tz: TimeZone>(t: DateTime<Utc>, tz: &Tz) -> String
where
    Tz::Offset: fmt::Display,
{
    let t = t.with_timezone(tz);
    if !(0..=9999).contains(&t.year()) {
        return t.format("%Y-%m-%d %H:%M").to_string();
    }
    // Field by field, like `to_rfc3339`: no pattern parsed per cell.
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// [`human`], finer where two times compared in a message differ only in
/// their seconds (or less): see [`crate::domain::precision`].
pub fn human_to<Tz: TimeZone>(
    t: DateTime<Utc>,
    tz: &Tz,
    precision: crate::domain::precision::Precision,
) -> String
where
    Tz::Offset: fmt::Display,
{
    use crate::domain::precision::Precision;
    let local = t.with_timezone(tz);
    match precision {
        Precision::Minutes => human(t, tz),
        Precision::Seconds => format!("{}:{:02}", human(t, tz), local.second()),
        Precision::Millis => format!(
            "{}:{:02}.{:03}",
            human(t, tz),
            local.second(),
            local.timestamp_subsec_millis()
        ),
    }
}

/// A compact span such as `45s`, `12m`, `3h05m` or `2d04h`, for ages and lateness.
pub fn compact(span: Duration) -> String {
    let secs = span.num_seconds().abs();
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}d{h:02}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{s}s")
    }
}

/// Whole seconds: the precision of every stored time.
pub fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// The local calendar day of `t`: due dates and "overdue" are days. The one
/// form here that reads the machine's time zone itself.
pub fn local_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Local).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn hand_written_formats_match_chrono() {
        let tz = FixedOffset::east_opt(5 * 3600 + 30 * 60).unwrap();
        for text in [
            "2026-11-23T08:05:09Z",
            "0999-01-02T03:04:05Z",
            "2026-12-31T23:59:59Z",
        ] {
            let t: DateTime<Utc> = text.parse().unwrap();
            assert_eq!(to_rfc3339(t), t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            assert_eq!(
                human(t, &tz),
                t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
            );
        }
        let far = DateTime::<Utc>::from_timestamp(300_000_000_000, 0).unwrap();
        assert_eq!(to_rfc3339(far), far.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    }

    fn now() -> DateTime<Utc> {
        "2026-11-23T10:00:00Z".parse().unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn durations_in_every_unit_and_compound() {
        assert_eq!(parse_duration("30m"), Ok(Duration::minutes(30)));
        assert_eq!(parse_duration("4h"), Ok(Duration::hours(4)));
        assert_eq!(parse_duration("3d"), Ok(Duration::days(3)));
        assert_eq!(parse_duration("90s"), Ok(Duration::seconds(90)));
        assert_eq!(parse_duration("1w"), Ok(Duration::days(7)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::minutes(90)));
        assert_eq!(parse_duration("10 min"), Ok(Duration::minutes(10)));
        assert_eq!(parse_duration(" 2 Hours "), Ok(Duration::hours(2)));
        assert_eq!(parse_duration("1d 2h"), Ok(Duration::hours(26)));
    }

    #[test]
    fn bad_durations_are_rejected_with_the_accepted_forms() {
        for bad in [
            "",
            "m",
            "30",
            "30x",
            "-5m",
            "1.5h",
            "h30",
            "30m ago",
            "99999999999999999999d",
        ] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.to_string().contains("30m"), "{bad}: {err}");
        }
        assert!(parse_duration("36501d").is_err(), "more than a century");
    }

    #[test]
    fn now_and_relative_times() {
        assert_eq!(parse_time("now", now(), &Utc, Lean::Past), Ok(now()));
        assert_eq!(parse_time("NOW", now(), &Utc, Lean::Past), Ok(now()));
        assert_eq!(
            parse_time("15m ago", now(), &Utc, Lean::Past),
            Ok(utc("2026-11-23T09:45:00Z"))
        );
        assert_eq!(
            parse_time("10 min ago", now(), &Utc, Lean::Past),
            Ok(utc("2026-11-23T09:50:00Z"))
        );
        assert_eq!(
            parse_time("in 30m", now(), &Utc, Lean::Future),
            Ok(utc("2026-11-23T10:30:00Z"))
        );
    }

    #[test]
    fn rfc3339_with_any_offset_is_stored_as_utc() {
        assert_eq!(
            parse_time("2026-11-23T09:00:00+01:00", now(), &Utc, Lean::Past),
            Ok(utc("2026-11-23T08:00:00Z"))
        );
        assert_eq!(
            parse_time("2026-11-23T08:00:00Z", now(), &Utc, Lean::Past),
            Ok(utc("2026-11-23T08:00:00Z"))
        );
    }

    #[test]
    fn wall_clock_forms_are_local_time() {
        let cet = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            parse_time("2026-11-23 09:30", now(), &cet, Lean::Past),
            Ok(utc("2026-11-23T08:30:00Z"))
        );
        assert_eq!(
            parse_time("2026-11-22", now(), &cet, Lean::Past),
            Ok(utc("2026-11-21T23:00:00Z"))
        );
        assert_eq!(
            parse_time("10:15", now(), &cet, Lean::Past),
            Ok(utc("2026-11-23T09:15:00Z"))
        );
    }

    #[test]
    fn bare_clock_time_leans_to_the_nearest_side() {
        let late: DateTime<Utc> = utc("2026-11-23T00:10:00Z");
        // Ten past midnight, "23:55" for a past event means last night...
        assert_eq!(
            parse_time("23:55", late, &Utc, Lean::Past),
            Ok(utc("2026-11-22T23:55:00Z"))
        );
        // ...and "00:05" for a promise means tomorrow.
        assert_eq!(
            parse_time("00:05", late, &Utc, Lean::Future),
            Ok(utc("2026-11-24T00:05:00Z"))
        );
        assert_eq!(
            parse_time("00:05", late, &Utc, Lean::Past),
            Ok(utc("2026-11-23T00:05:00Z"))
        );
    }

    #[test]
    fn bad_times_name_the_accepted_forms() {
        for bad in [
            "",
            "yesterday",
            "today 25:00",
            "friday noon",
            "mon 10:00 extra",
            "25:00",
            "2026-13-01 10:00",
            "ago",
            "in",
            "10 ago",
            "12:00pm",
        ] {
            let err = parse_time(bad, now(), &Utc, Lean::Past).unwrap_err();
            assert!(err.to_string().contains("HH:MM"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_hint_offers_only_forms_on_the_times_side() {
        let past = parse_time("soon", now(), &Utc, Lean::Past)
            .unwrap_err()
            .to_string();
        assert!(past.contains("'15m ago'") && !past.contains("in 30m"), "{past}");
        let future = parse_time("soon", now(), &Utc, Lean::Future)
            .unwrap_err()
            .to_string();
        assert!(future.contains("'in 30m'") && !future.contains("ago"), "{future}");
    }

    #[test]
    fn named_days_today_yesterday_and_weekdays() {
        // now() is Monday 2026-11-23 10:00 UTC.
        assert_eq!(
            parse_time("yesterday 23:40", now(), &Utc, Lean::Past),
            Ok(utc("2026-11-22T23:40:00Z"))
        );
        assert_eq!(
            parse_time("Today 09:30", now(), &Utc, Lean::Past),
            Ok(utc("2026-11-23T09:30:00Z"))
        );
        assert_eq!(
            parse_time("tomorrow 09:00", now(), &Utc, Lean::Future),
            Ok(utc("2026-11-24T09:00:00Z"))
        );
        // The most recent such day for a past time, today included when
        // its time has passed.
        assert_eq!(
            parse_time("friday 14:00", now(), &Utc, Lean::Past),
            Ok(utc("2026-11-20T14:00:00Z"))
        );
        assert_eq!(
            parse_time("mon", now(), &Utc, Lean::Past),
            Ok(utc("2026-11-23T00:00:00Z"))
        );
        assert_eq!(
            parse_time("monday 11:00", now(), &Utc, Lean::Past),
            Ok(utc("2026-11-16T11:00:00Z"))
        );
        // The next such day for a deadline.
        assert_eq!(
            parse_time("wed 09:00", now(), &Utc, Lean::Future),
            Ok(utc("2026-11-25T09:00:00Z"))
        );
        let cet = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            parse_time("yesterday 00:30", now(), &cet, Lean::Past),
            Ok(utc("2026-11-21T23:30:00Z"))
        );
    }

    #[test]
    fn deadlines_take_a_duration_or_a_time() {
        assert_eq!(
            parse_deadline("30m", now(), &Utc),
            Ok(utc("2026-11-23T10:30:00Z"))
        );
        assert_eq!(
            parse_deadline("11:00", now(), &Utc),
            Ok(utc("2026-11-23T11:00:00Z"))
        );
        assert_eq!(
            parse_deadline("09:00", now(), &Utc),
            Ok(utc("2026-11-24T09:00:00Z"))
        );
        assert!(parse_deadline("soon", now(), &Utc).is_err());
    }

    #[test]
    fn formatting() {
        assert_eq!(to_rfc3339(utc("2026-11-23T08:00:05.9Z")), "2026-11-23T08:00:05Z");
        let cet = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(human(utc("2026-11-23T08:00:00Z"), &cet), "2026-11-23 09:00");
        assert_eq!(compact(Duration::seconds(45)), "45s");
        assert_eq!(compact(Duration::minutes(12)), "12m");
        assert_eq!(compact(Duration::minutes(185)), "3h05m");
        assert_eq!(compact(Duration::hours(52)), "2d04h");
        assert_eq!(compact(Duration::minutes(-12)), "12m");
    }
}
