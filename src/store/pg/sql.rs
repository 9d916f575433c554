//! How domain values cross into PostgreSQL: each type converts itself, as
//! in `sqlite/sql.rs`, and names its PostgreSQL type, so every statement
//! goes out with its parameter types in one round trip
//! (`Client::query_typed`: no separate prepare).

use crate::domain::plans::ChangeKind;
use crate::domain::retro::{ActionKind, ActionStatus};
use crate::domain::triage::{Customers, Factor};
use crate::domain::{Category, DetectedBy, EventKind, Status};
use anyhow::{Result, anyhow};
use bytes::BytesMut;
use chrono::{DateTime, NaiveDate, Utc};
use std::borrow::Cow;
use std::error::Error;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

type BoxError = Box<dyn Error + Sync + Send>;

/// A parameter that knows its PostgreSQL type, and how it is sent.
pub trait Typed: ToSql + Sync {
    fn pg_type(&self) -> Type;

    /// The value as sent: itself, or (text) escaped.
    fn param(&self) -> Param<'_>
    where
        Self: Sized,
    {
        Param::Plain(self)
    }
}

/// What [`escape`] puts before an escaped character: U+FFFF, a
/// noncharacter that text practically never holds.
const MARK: char = '\u{FFFF}';

/// Text as stored: PostgreSQL text cannot hold U+0000, which SQLite stores
/// and the hash chain hashes, so NUL is stored as MARK '0' and MARK itself
/// as MARK MARK. Injective, so equality in SQL still holds; text without
/// either character (all but hostile input) is stored as it is.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['\0', MARK]) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\0' => out.extend([MARK, '0']),
            MARK => out.extend([MARK, MARK]),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The text [`escape`] stored, as it was given. A MARK not followed by
/// '0' or MARK (written behind the tool's back) is kept as it is.
pub fn unescape(s: String) -> String {
    if !s.contains(MARK) {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            (MARK, Some('0')) => {
                chars.next();
                out.push('\0');
            }
            (MARK, Some(&MARK)) => {
                chars.next();
                out.push(MARK);
            }
            (c, _) => out.push(c),
        }
    }
    out
}

/// A parameter as sent: a value of its own type, or text escaped.
pub enum Param<'a> {
    Plain(&'a (dyn ToSql + Sync)),
    Text(Option<Cow<'a, str>>),
}

impl std::fmt::Debug for Param<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Param::Plain(v) => v.fmt(f),
            Param::Text(t) => t.fmt(f),
        }
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Param::Plain(v) => v.to_sql_checked(ty, out),
            Param::Text(Some(text)) => {
                let text: &str = text;
                text.to_sql(ty, out)
            }
            Param::Text(None) => Ok(IsNull::Yes),
        }
    }
    // The statement gives each parameter's type, from the value's own.
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}

/// What a column reads back as: text unescaped (see [`escape`]), the rest
/// as it is.
pub trait Stored: Sized {
    fn restore(self) -> Self {
        self
    }
}

impl Stored for String {
    fn restore(self) -> String {
        unescape(self)
    }
}

impl Stored for Option<String> {
    fn restore(self) -> Option<String> {
        self.map(unescape)
    }
}

macro_rules! stored_as_is {
    ($($ty:ty),+) => {$(
        impl Stored for $ty {}
        impl Stored for Option<$ty> {}
    )+};
}

stored_as_is!(
    i64,
    bool,
    ChangeKind,
    Stamp,
    Day,
    JsonList,
    Status,
    Category,
    DetectedBy,
    EventKind,
    Customers,
    Factor,
    ActionKind,
    ActionStatus
);

/// The parameters of one statement, each with its type.
pub type Params<'a> = Vec<(&'a (dyn ToSql + Sync), Type)>;

/// `p![a, b]`: the typed parameter list of a statement.
macro_rules! p {
    ($($value:expr),* $(,)?) => {
        [$((
            &$crate::store::pg::sql::Typed::param(&$value) as &(dyn tokio_postgres::types::ToSql + Sync),
            $crate::store::pg::sql::Typed::pg_type(&$value),
        )),*]
    };
}
pub(crate) use p;

/// The typed parameters of a dynamically built statement.
pub fn params(values: &[Value]) -> Params<'_> {
    values
        .iter()
        .map(|v| (v as &(dyn ToSql + Sync), v.pg_type()))
        .collect()
}

/// A statement built at run time, with its parameters: run alone
/// (`Db::run`) or with others in one round trip (`Db::pipeline`).
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: String,
    pub values: Vec<Value>,
}

impl Statement {
    pub fn new(sql: impl Into<String>, values: Vec<Value>) -> Statement {
        Statement {
            sql: sql.into(),
            values,
        }
    }
}

/// A parameter of a statement built at run time (a filter's conditions,
/// a write sent in a pipeline).
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    /// Text or NULL.
    OptText(Option<String>),
    /// A number or NULL.
    OptInt(Option<i64>),
    Bool(bool),
    /// A list as the JSON text it is stored as.
    Json(JsonList),
    /// Bytes or NULL.
    OptBytes(Option<Vec<u8>>),
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Value::Int(n) => n.to_sql(ty, out),
            Value::Text(s) | Value::OptText(Some(s)) => {
                let text: &str = &escape(s);
                text.to_sql(ty, out)
            }
            Value::OptText(None) | Value::OptInt(None) => Ok(IsNull::Yes),
            Value::OptInt(Some(n)) => n.to_sql(ty, out),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Json(list) => list.to_sql(ty, out),
            Value::OptBytes(b) => b.to_sql(ty, out),
        }
    }
    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty)
            || <String as ToSql>::accepts(ty)
            || <bool as ToSql>::accepts(ty)
            || <Vec<u8> as ToSql>::accepts(ty)
    }
    to_sql_checked!();
}

impl Typed for Value {
    fn pg_type(&self) -> Type {
        match self {
            Value::Int(_) | Value::OptInt(_) => Type::INT8,
            Value::Bool(_) => Type::BOOL,
            Value::Text(_) | Value::OptText(_) | Value::Json(_) => Type::TEXT,
            Value::OptBytes(_) => Type::BYTEA,
        }
    }
}

/// Fixed-type parameters, bare or optional (NULL keeps the type).
macro_rules! typed {
    ($pg:expr => $($ty:ty),+) => {$(
        impl Typed for $ty {
            fn pg_type(&self) -> Type {
                $pg
            }
        }
        impl Typed for Option<$ty> {
            fn pg_type(&self) -> Type {
                $pg
            }
        }
    )+};
}

/// Text, sent escaped (see [`escape`]).
macro_rules! typed_text {
    ($($ty:ty),+) => {$(
        impl Typed for $ty {
            fn pg_type(&self) -> Type {
                Type::TEXT
            }
            fn param(&self) -> Param<'_> {
                Param::Text(Some(escape(self)))
            }
        }
        impl Typed for Option<$ty> {
            fn pg_type(&self) -> Type {
                Type::TEXT
            }
            fn param(&self) -> Param<'_> {
                Param::Text(self.as_ref().map(|s| escape(s)))
            }
        }
    )+};
}

typed!(Type::INT8 => i64);
typed!(Type::BOOL => bool);
typed!(Type::BYTEA => Vec<u8>);
typed_text!(String, &str, &String);
typed!(Type::TEXT => Stamp, Day, JsonList,
    Status, Category, DetectedBy, EventKind, Customers, Factor, ActionKind, ActionStatus, ChangeKind);

macro_rules! text_enum_sql {
    ($($ty:ty),+) => {$(
        impl ToSql for $ty {
            fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
                self.as_str().to_sql(ty, out)
            }
            fn accepts(ty: &Type) -> bool {
                <&str as ToSql>::accepts(ty)
            }
            to_sql_checked!();
        }
        impl<'a> FromSql<'a> for $ty {
            fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
                let text = <&str as FromSql>::from_sql(ty, raw)?;
                text.parse().map_err(|e: String| e.into())
            }
            fn accepts(ty: &Type) -> bool {
                <&str as FromSql>::accepts(ty)
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
    ChangeKind
);

/// A stored time: RFC 3339 UTC text, fixed width, exactly as the SQLite
/// backend stores it (the hash chain hashes that text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(pub DateTime<Utc>);

impl ToSql for Stamp {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        crate::time::to_rfc3339(self.0).to_sql(ty, out)
    }
    fn accepts(ty: &Type) -> bool {
        <&str as ToSql>::accepts(ty)
    }
    to_sql_checked!();
}

impl<'a> FromSql<'a> for Stamp {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        // The stored form field by field (fast), else any RFC 3339 time (an
        // import may carry one), as the SQLite backend reads it.
        if let Some(t) = crate::store::sqlite::sql::parse_stored(raw) {
            return Ok(Stamp(t));
        }
        let text = <&str as FromSql>::from_sql(ty, raw)?;
        Ok(Stamp(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc)))
    }
    fn accepts(ty: &Type) -> bool {
        <&str as FromSql>::accepts(ty)
    }
}

/// A calendar day (an action item's due date): `YYYY-MM-DD` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub NaiveDate);

impl ToSql for Day {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        self.0.format("%Y-%m-%d").to_string().to_sql(ty, out)
    }
    fn accepts(ty: &Type) -> bool {
        <&str as ToSql>::accepts(ty)
    }
    to_sql_checked!();
}

impl<'a> FromSql<'a> for Day {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let text = <&str as FromSql>::from_sql(ty, raw)?;
        Ok(Day(NaiveDate::parse_from_str(text, "%Y-%m-%d")?))
    }
    fn accepts(ty: &Type) -> bool {
        <&str as FromSql>::accepts(ty)
    }
}

/// A list of strings stored as a JSON array in TEXT.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonList(pub Vec<String>);

impl ToSql for JsonList {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        serde_json::to_string(&self.0)?.to_sql(ty, out)
    }
    fn accepts(ty: &Type) -> bool {
        <&str as ToSql>::accepts(ty)
    }
    to_sql_checked!();
}

impl<'a> FromSql<'a> for JsonList {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let text = <&str as FromSql>::from_sql(ty, raw)?;
        Ok(JsonList(serde_json::from_str(text)?))
    }
    fn accepts(ty: &Type) -> bool {
        <&str as FromSql>::accepts(ty)
    }
}

/// Column `i` of `row`: a value that does not convert is an error naming
/// the column, never a panic.
pub fn col<'a, T: FromSql<'a> + Stored>(row: &'a Row, i: usize) -> Result<T> {
    row.try_get(i).map(Stored::restore).map_err(|e| {
        let name = row.columns().get(i).map(|c| c.name()).unwrap_or("?");
        let cause = std::error::Error::source(&e)
            .map(|s| s.to_string())
            .unwrap_or_else(|| e.to_string());
        anyhow!("a stored value does not read back (column {name}): {cause}; run 'incident verify'")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_types_follow_the_value() {
        assert_eq!(Some(5i64).pg_type(), Type::INT8);
        assert_eq!(None::<i64>.pg_type(), Type::INT8);
        assert_eq!(None::<Stamp>.pg_type(), Type::TEXT);
        assert_eq!(Value::Int(1).pg_type(), Type::INT8);
        assert_eq!(Value::Text("x".into()).pg_type(), Type::TEXT);
    }

    #[test]
    fn text_with_nul_is_escaped_injectively_and_read_back_as_given() {
        for text in [
            "",
            "plain",
            "a\0b",
            "\0",
            "x\u{FFFF}0y",
            "\u{FFFF}",
            "\u{FFFF}\0\u{FFFF}\u{FFFF}",
        ] {
            let stored = escape(text);
            assert!(!stored.contains('\0'), "{text:?}");
            assert_eq!(unescape(stored.into_owned()), text, "{text:?}");
        }
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_ne!(escape("\0"), escape("\u{FFFF}0"));
        // A lone mark written by hand stays.
        assert_eq!(unescape("a\u{FFFF}b".into()), "a\u{FFFF}b");
    }

    #[test]
    fn values_encode_as_the_text_sqlite_stores() {
        let mut out = BytesMut::new();
        let at = Stamp("2026-11-23T08:00:00Z".parse().unwrap());
        at.to_sql(&Type::TEXT, &mut out).unwrap();
        assert_eq!(&out[..], b"2026-11-23T08:00:00Z");
        assert_eq!(Stamp::from_sql(&Type::TEXT, &out).unwrap(), at);
        let list = JsonList(vec!["a".into(), "b|c".into()]);
        let mut out = BytesMut::new();
        list.to_sql(&Type::TEXT, &mut out).unwrap();
        assert_eq!(&out[..], br#"["a","b|c"]"#);
        assert_eq!(JsonList::from_sql(&Type::TEXT, &out).unwrap(), list);
        assert!(Status::from_sql(&Type::TEXT, b"exploded").is_err());
        assert!(Stamp::from_sql(&Type::TEXT, b"yesterday").is_err());
    }
}
