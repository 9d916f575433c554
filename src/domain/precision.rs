//! How finely to show times that a message compares. Minutes read best,
//! but "--at 03:28 is before INC-1 was declared (03:28)" says nothing:
//! when the minutes are the same, the seconds decide, and are shown (and
//! the milliseconds, when even the seconds are the same).

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// The finest unit a time is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    Minutes,
    Seconds,
    Millis,
}

/// The coarsest precision at which `a` and `b` read as different times
/// (minutes when they are the same time).
pub fn to_tell_apart(a: DateTime<Utc>, b: DateTime<Utc>) -> Precision {
    let same = |unit: TimeDelta| match (a.duration_trunc(unit), b.duration_trunc(unit)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    if a == b || !same(TimeDelta::minutes(1)) {
        Precision::Minutes
    } else if !same(TimeDelta::seconds(1)) {
        Precision::Seconds
    } else {
        Precision::Millis
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_seconds_show_only_when_the_minutes_are_the_same() {
        let tell = |a, b| to_tell_apart(t(a), t(b));
        assert_eq!(
            tell("2026-12-06T03:28:10Z", "2026-12-06T03:29:00Z"),
            Precision::Minutes
        );
        assert_eq!(
            tell("2026-12-06T03:28:59Z", "2026-12-06T03:29:00Z"),
            Precision::Minutes
        );
        assert_eq!(
            tell("2026-12-06T03:28:10Z", "2026-12-06T03:28:40Z"),
            Precision::Seconds
        );
        assert_eq!(
            tell("2026-12-06T03:28:40Z", "2026-12-06T03:28:10Z"),
            Precision::Seconds
        );
        assert_eq!(
            tell("2026-12-06T03:28:10.200Z", "2026-12-06T03:28:10.700Z"),
            Precision::Millis
        );
        assert_eq!(
            tell("2026-12-06T03:28:10Z", "2026-12-06T03:28:10Z"),
            Precision::Minutes
        );
        // A day apart at the same wall-clock minute is minutes apart enough.
        assert_eq!(
            tell("2026-12-06T03:28:10Z", "2026-12-07T03:28:10Z"),
            Precision::Minutes
        );
    }
}
