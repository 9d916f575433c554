//! End-to-end tests: the real binary against a real SQLite file in a temp dir.

mod support;

mod declare;
mod errors;
mod lifecycle;
mod list;
mod retro;
mod roles;
mod show;
mod storage;
