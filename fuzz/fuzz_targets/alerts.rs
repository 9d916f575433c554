//! Alert payloads: any bytes, in every format, give alerts or a reason,
//! never a panic (what `incident serve` answers a hostile sender with).
#![no_main]

use incident::intake::{Format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = Format::detect(body);
    for format in [Format::Alertmanager, Format::Grafana, Format::Pagerduty, Format::Generic] {
        let _ = parse(format, body);
    }
});
