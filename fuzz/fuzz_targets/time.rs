//! Time and duration parsing: never panics, and what it accepts is sane.
#![no_main]

use chrono::{DateTime, Duration, FixedOffset, Utc};
use incident::time::{Lean, parse_deadline, parse_duration, parse_time};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&zone, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    // Any offset from -12h to +14h in 15-minute steps.
    let tz = FixedOffset::east_opt((i32::from(zone) % 105 - 48) * 900).unwrap();
    let now: DateTime<Utc> = "2026-11-23T08:00:00Z".parse().unwrap();
    if let Ok(d) = parse_duration(text) {
        assert!(d >= Duration::zero() && d <= Duration::days(36_500), "{text:?} -> {d}");
    }
    for lean in [Lean::Past, Lean::Future] {
        let _ = parse_time(text, now, &tz, lean);
    }
    let _ = parse_deadline(text, now, &tz);
});
