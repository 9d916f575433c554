//! Answers files: the TOML a person writes instead of answering a command's
//! questions in a terminal, read and checked into domain values; a mistake
//! is named by its line or its field. The parsing is pure, and public for
//! the fuzz target (fuzz/fuzz_targets/answers.rs).

pub mod assess;
pub mod retro;
