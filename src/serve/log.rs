//! `serve`'s request log: one line per request on stderr, as text
//! (`METHOD PATH STATUS alerts=N opened=KEYS joined=KEYS MSms`, after the
//! time) or, with `--log json`, one JSON object per line for log shippers.

use axum::http::{Method, StatusCode};
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use std::time::Duration;

/// How requests are logged (`serve --log`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `TIME METHOD PATH STATUS alerts=N opened=KEYS joined=KEYS MSms`
    Text,
    /// One JSON object per line: time, method, path, status, alerts, opened, joined, ms
    Json,
}

/// What a request did to the record, for its line: put in the response's
/// extensions by the handler (none: nothing).
#[derive(Debug, Clone, Default)]
pub struct Did {
    pub alerts: usize,
    /// The incidents its alerts opened, and those they joined, by key.
    pub opened: Vec<String>,
    pub joined: Vec<String>,
}

/// One request's line.
#[derive(Serialize)]
struct Line<'a> {
    time: String,
    method: &'a str,
    path: &'a str,
    status: u16,
    alerts: usize,
    opened: &'a [String],
    joined: &'a [String],
    ms: u128,
}

/// The line for a request, in `format`.
pub fn line(
    format: LogFormat,
    method: &Method,
    path: &str,
    status: StatusCode,
    did: &Did,
    took: Duration,
) -> String {
    let line = Line {
        time: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        method: method.as_str(),
        path,
        status: status.as_u16(),
        alerts: did.alerts,
        opened: &did.opened,
        joined: &did.joined,
        ms: took.as_millis(),
    };
    match format {
        LogFormat::Json => serde_json::to_string(&line).unwrap_or_default(),
        LogFormat::Text => {
            let keys = |keys: &[String]| match keys.is_empty() {
                true => "-".to_string(),
                false => keys.join(","),
            };
            format!(
                "{} {} {} {} alerts={} opened={} joined={} {}ms",
                line.time,
                line.method,
                crate::text::one_line(path).replace(' ', "%20"),
                line.status,
                line.alerts,
                keys(line.opened),
                keys(line.joined),
                line.ms
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_says_what_the_request_did() {
        let did = Did {
            alerts: 2,
            opened: vec!["INC-4".into()],
            joined: vec!["INC-4".into(), "INC-2".into()],
        };
        let text = line(
            LogFormat::Text,
            &Method::POST,
            "/alertmanager",
            StatusCode::OK,
            &did,
            Duration::from_millis(12),
        );
        let (time, rest) = text.split_once(' ').unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok(), "{text}");
        assert_eq!(
            rest,
            "POST /alertmanager 200 alerts=2 opened=INC-4 joined=INC-4,INC-2 12ms"
        );
        let none = line(
            LogFormat::Text,
            &Method::GET,
            "/a b\u{1b}[2J",
            StatusCode::NOT_FOUND,
            &Did::default(),
            Duration::ZERO,
        );
        assert!(
            none.ends_with(" GET /a%20b\\u{1b}[2J 404 alerts=0 opened=- joined=- 0ms"),
            "{none}"
        );
        let json: serde_json::Value = serde_json::from_str(&line(
            LogFormat::Json,
            &Method::POST,
            "/generic",
            StatusCode::OK,
            &did,
            Duration::from_millis(3),
        ))
        .unwrap();
        assert_eq!(json["joined"], serde_json::json!(["INC-4", "INC-2"]));
        assert_eq!(
            (json["status"].as_u64(), json["ms"].as_u64()),
            (Some(200), Some(3))
        );
    }
}
