//! Key parsing: never panics, and every accepted key round-trips.
#![no_main]

use incident::domain::key;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(n) = key::parse(text, "INC") {
        assert!(n > 0);
        assert_eq!(key::parse(&key::format("INC", n), "INC"), Ok(n));
    }
});
