//! How domain values cross into SQLite: each type converts itself, so no
//! query formats or parses strings by hand.

use crate::domain::retro::{ActionKind, ActionStatus};
use crate::domain::triage::{Customers, Factor};
use crate::domain::{Category, DetectedBy, EventKind, Status};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

macro_rules! text_enum_sql {
    ($($ty:ty),+) => {$(
        impl ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
        impl FromSql for $ty {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value.as_str()?.parse().map_err(|e: String| FromSqlError::Other(e.into()))
            }
        }
    )+};
}

text_enum_sql!(
    Status,
    Category,
    DetectedBy,
    EventKind,
    Customers,
    Factor,
    ActionKind,
    ActionStatus,
    crate::domain::plans::ChangeKind
);

/// A stored time: RFC 3339 UTC text, fixed width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(pub DateTime<Utc>);

impl ToSql for Stamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(crate::time::to_rfc3339(self.0)))
    }
}

impl FromSql for Stamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        // The form this tool stores, read field by field: chrono's general
        // RFC 3339 parser was a tenth of `stats` over 100,000 incidents.
        if let ValueRef::Text(bytes) = value
            && let Some(t) = parse_stored(bytes)
        {
            return Ok(Stamp(t));
        }
        let text = value.as_str()?;
        DateTime::parse_from_rfc3339(text)
            .map(|t| Stamp(t.with_timezone(&Utc)))
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` exactly, as `time::to_rfc3339` writes it; `None`
/// (the PostgreSQL backend reads its times with it too)
/// for anything else (the general parser decides).
pub(in crate::store) fn parse_stored(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(number(0, 4)? as i32, number(5, 7)?, number(8, 10)?)?;
    let time = chrono::NaiveTime::from_hms_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?)?;
    Some(date.and_time(time).and_utc())
}

/// A calendar day (an action item's due date): `YYYY-MM-DD` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub NaiveDate);

impl ToSql for Day {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.format("%Y-%m-%d").to_string()))
    }
}

impl FromSql for Day {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        NaiveDate::parse_from_str(value.as_str()?, "%Y-%m-%d")
            .map(Day)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// A list of strings stored as a JSON array.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonList(pub Vec<String>);

impl ToSql for JsonList {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        serde_json::to_string(&self.0)
            .map(ToSqlOutput::from)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
    }
}

impl FromSql for JsonList {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        serde_json::from_str(value.as_str()?)
            .map(JsonList)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn values_round_trip_through_sqlite() {
        let conn = Connection::open_in_memory().unwrap();
        let at = Stamp("2026-11-23T08:00:00Z".parse().unwrap());
        let list = JsonList(vec!["checkout".into(), "pay|ments".into()]);
        let (s, t, l): (Status, Stamp, JsonList) = conn
            .query_row(
                "SELECT ?1, ?2, ?3",
                rusqlite::params![Status::Mitigated, at, list],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((s, t, l), (Status::Mitigated, at, list));
        let text: String = conn.query_row("SELECT ?1", [at], |r| r.get(0)).unwrap();
        assert_eq!(text, "2026-11-23T08:00:00Z");
    }

    #[test]
    fn unknown_stored_names_are_errors_not_panics() {
        let conn = Connection::open_in_memory().unwrap();
        let got: rusqlite::Result<Status> = conn.query_row("SELECT 'exploded'", [], |r| r.get(0));
        assert!(got.is_err());
    }

    #[test]
    fn stored_times_read_field_by_field_agree_with_chrono() {
        for text in [
            "2026-11-23T08:00:00Z",
            "1999-12-31T23:59:59Z",
            "2024-02-29T12:34:56Z",
            "0001-01-01T00:00:00Z",
        ] {
            let want = DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc);
            assert_eq!(parse_stored(text.as_bytes()), Some(want), "{text}");
        }
        // Not the stored form (or not a time): left to the general parser.
        for text in [
            "2026-11-23T08:00:00+01:00",
            "2026-11-23T08:00:00.5Z",
            "2026-02-30T08:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-1a-23T08:00:00Z",
            "",
        ] {
            assert_eq!(parse_stored(text.as_bytes()), None, "{text}");
        }
        let conn = Connection::open_in_memory().unwrap();
        let got: Stamp = conn
            .query_row("SELECT '2026-11-23T09:00:00+01:00'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(crate::time::to_rfc3339(got.0), "2026-11-23T08:00:00Z");
    }
}
