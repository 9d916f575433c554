//! The configuration file: any text gives a configuration or an error, never a panic.
#![no_main]

use incident::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = Config::parse(text, std::path::Path::new("fuzz.toml"));
});
