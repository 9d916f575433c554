//! `incident`: a command-line incident tracker on a local SQLite file or a team's
//! PostgreSQL database.
//!
//! The binary is a thin `main`; everything lives here so tests and fuzz
//! targets reach the same code.

pub mod answers;
pub mod child;
pub mod cli;
pub mod commands;
pub mod complete;
pub mod config;
pub mod context;
// `named_enum!` is the domain's, and the notification kinds' too.
#[macro_use]
pub mod domain;
pub mod error;
pub mod explain;
pub mod follow;
pub mod hooks;
pub mod install;
pub mod intake;
pub mod man;
pub mod metrics;
pub mod notify;
pub mod oncall;
pub mod output;
pub mod playbooks;
pub mod postmortem;
pub mod prompt;
pub mod render;
pub mod serve;
pub mod signals;
pub mod statuspage;
pub mod store;
pub mod text;
pub mod time;
pub mod transfer;
pub mod views;
