//! Answers files: the TOML a person writes instead of answering a command's
//! questions in a terminal, read and checked into domain values. Each error
//! names the line or the field. The parsing is pure, so the fuzz target
//! (fuzz/fuzz_targets/answers.rs) reaches it.

pub mod assess;
pub mod retro;
