//! The answers files of `assess` and `retro`: any text gives answers or an
//! error naming the place, never a panic.
#![no_main]

use incident::answers::{self, assess::Draft};
use incident::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let now = "2026-11-23T08:00:00Z".parse().unwrap();
    let _ = Draft::parse(text, std::path::Path::new("answers.toml"), now, &Config::default());
    let _ = answers::retro::parse(text, now.date_naive());
});
