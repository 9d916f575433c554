//! The output sanitiser: nothing that can drive a terminal gets through.
#![no_main]

use incident::text::{one_line, safe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let shown = safe(text);
    assert!(!shown.chars().any(|c| c.is_control() && c != '\n'), "{shown:?}");
    let line = one_line(text);
    assert!(!line.chars().any(char::is_control), "{line:?}");
});
