//! Time zones by their IANA names (`Europe/Berlin`), for on-call schedules,
//! people and the status page: chrono's [`TimeZone`] over the copy of the
//! time zone database that jiff bundles.
//!
//! Not chrono-tz: it compiles the database into tables of some 56,000
//! pointers, which the loader relocates at the start of every process
//! whether a zone is used or not, most of the start-up cost of every
//! command (BENCHMARKS.md, "Time zones"). jiff keeps the same database as
//! one block of bytes and reads a zone only when it is named. The bundled
//! copy, not the system's: a command gives the same answer on every
//! machine, a container without tzdata included.

use chrono::{FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, Offset, TimeZone};
use jiff::tz::AmbiguousOffset;
use std::fmt;
use std::str::FromStr;

/// A time zone of the IANA database.
#[derive(Clone, PartialEq, Eq)]
pub struct Zone(jiff::tz::TimeZone);

/// A name the database does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownZone;

impl Zone {
    /// Coordinated Universal Time.
    pub fn utc() -> Zone {
        Zone(jiff::tz::TimeZone::UTC)
    }

    /// The zone's name in the database ("Europe/Berlin", "UTC").
    pub fn name(&self) -> &str {
        self.0.iana_name().unwrap_or("UTC")
    }

    /// The offset in force at `at`, with the abbreviation for it.
    fn at(&self, at: jiff::Timestamp) -> ZoneOffset {
        let offset = self.0.to_offset_info(at).offset();
        ZoneOffset {
            zone: self.clone(),
            fixed: fixed(offset),
            at,
        }
    }

    /// The offset `offset` has where the wall clock reads `local`.
    fn at_local(&self, local: &NaiveDateTime, offset: jiff::tz::Offset) -> ZoneOffset {
        let utc = local.and_utc().timestamp() - i64::from(offset.seconds());
        ZoneOffset {
            zone: self.clone(),
            fixed: fixed(offset),
            at: seconds(utc),
        }
    }
}

impl FromStr for Zone {
    type Err = UnknownZone;

    /// A name as the database spells it; case does not matter.
    /// "Factory", the database's placeholder for a machine whose zone was
    /// never set ("-00"), is no zone anyone means.
    fn from_str(name: &str) -> Result<Zone, UnknownZone> {
        if name.is_empty() || name.eq_ignore_ascii_case("factory") {
            return Err(UnknownZone);
        }
        jiff::tz::TimeZone::get(name).map(Zone).map_err(|_| UnknownZone)
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The offset of a [`Zone`] at one instant: shown (`%Z`) as the zone's
/// abbreviation there ("CET", "EDT", or "+0530" where it has none).
#[derive(Clone)]
pub struct ZoneOffset {
    zone: Zone,
    fixed: FixedOffset,
    at: jiff::Timestamp,
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.zone.0.to_offset_info(self.at).abbreviation())
    }
}

impl fmt::Debug for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Zone {
        offset.zone.clone()
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_time(chrono::NaiveTime::MIN))
    }

    /// One offset, two where the clocks went back (the earlier instant's
    /// first), none where they jumped forward over `local`.
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<ZoneOffset> {
        let Some(civil) = civil(local) else {
            // Beyond the years the database describes: the offset at its end.
            return MappedLocalTime::Single(self.at(seconds(local.and_utc().timestamp())));
        };
        match self.0.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => MappedLocalTime::Single(self.at_local(local, offset)),
            AmbiguousOffset::Gap { .. } => MappedLocalTime::None,
            AmbiguousOffset::Fold { before, after } => {
                MappedLocalTime::Ambiguous(self.at_local(local, before), self.at_local(local, after))
            }
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_time(chrono::NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        self.at(seconds(utc.and_utc().timestamp()))
    }
}

fn fixed(offset: jiff::tz::Offset) -> FixedOffset {
    // jiff's offsets stay within ±26 hours, chrono's within ±24: none of
    // the database's comes near either.
    FixedOffset::east_opt(offset.seconds()).unwrap_or(FixedOffset::east_opt(0).expect("zero is an offset"))
}

/// The instant `s` seconds after the epoch, held to the years jiff knows.
fn seconds(s: i64) -> jiff::Timestamp {
    jiff::Timestamp::new(s, 0).unwrap_or(if s < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    })
}

/// `local` as jiff's wall-clock time, if in the years jiff knows (-9999
/// to 9999); sub-second parts do not change an offset and are dropped.
fn civil(local: &NaiveDateTime) -> Option<jiff::civil::DateTime> {
    use chrono::{Datelike, Timelike};
    let year = i16::try_from(local.year()).ok()?;
    jiff::civil::DateTime::new(
        year,
        local.month() as i8,
        local.day() as i8,
        local.hour() as i8,
        local.minute() as i8,
        local.second().min(59) as i8,
        0,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn berlin() -> Zone {
        "Europe/Berlin".parse().unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn names_are_the_databases_and_unknown_ones_are_refused() {
        assert_eq!(berlin().name(), "Europe/Berlin");
        assert_eq!("europe/berlin".parse::<Zone>().unwrap().name(), "Europe/Berlin");
        assert_eq!("US/Eastern".parse::<Zone>().unwrap().name(), "US/Eastern");
        assert_eq!(Zone::utc().name(), "UTC");
        assert_eq!("Mars/Base".parse::<Zone>(), Err(UnknownZone));
        assert_eq!("".parse::<Zone>(), Err(UnknownZone));
        assert_eq!("Factory".parse::<Zone>(), Err(UnknownZone));
    }

    #[test]
    fn an_instant_shows_in_the_zones_offset_and_abbreviation() {
        let winter = utc("2026-01-15T12:00:00Z").with_timezone(&berlin());
        assert_eq!(
            winter.format("%Y-%m-%d %H:%M %Z %z").to_string(),
            "2026-01-15 13:00 CET +0100"
        );
        let summer = utc("2026-07-15T12:00:00Z").with_timezone(&berlin());
        assert_eq!(summer.format("%H:%M %Z").to_string(), "14:00 CEST");
        let kolkata: Zone = "Asia/Kolkata".parse().unwrap();
        let t = utc("2026-07-15T12:00:00Z").with_timezone(&kolkata);
        assert_eq!(t.format("%H:%M %Z").to_string(), "17:30 IST");
        let sao_paulo: Zone = "America/Sao_Paulo".parse().unwrap();
        let t = utc("2026-07-15T12:00:00Z").with_timezone(&sao_paulo);
        assert_eq!(t.format("%H:%M %Z").to_string(), "09:00 -03");
    }

    #[test]
    fn a_wall_clock_time_in_a_gap_is_none_and_in_a_fold_is_both() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // Clocks went forward at 02:00 on 2026-03-29 in Berlin.
        assert!(matches!(
            berlin().from_local_datetime(&at("2026-03-29 02:30")),
            MappedLocalTime::None
        ));
        // And back at 03:00 on 2026-10-25: 02:30 happened twice.
        match berlin().from_local_datetime(&at("2026-10-25 02:30")) {
            MappedLocalTime::Ambiguous(first, second) => {
                assert_eq!(first.with_timezone(&Utc), utc("2026-10-25T00:30:00Z"));
                assert_eq!(second.with_timezone(&Utc), utc("2026-10-25T01:30:00Z"));
                assert_eq!(first.format("%Z").to_string(), "CEST");
                assert_eq!(second.format("%Z").to_string(), "CET");
            }
            other => panic!("not ambiguous: {other:?}"),
        }
        let noon = berlin()
            .from_local_datetime(&at("2026-06-01 12:00"))
            .single()
            .unwrap();
        assert_eq!(noon.with_timezone(&Utc), utc("2026-06-01T10:00:00Z"));
    }

    #[test]
    fn times_beyond_the_databases_years_still_have_an_offset() {
        let far = NaiveDate::from_ymd_opt(20_000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(
            berlin().offset_from_utc_datetime(&far).fix().local_minus_utc(),
            3600
        );
        assert!(berlin().from_local_datetime(&far).single().is_some());
    }
}
