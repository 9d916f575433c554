//! The team backend: a PostgreSQL database, with the same guarantees as
//! the SQLite file.

mod connect;

pub use connect::{DEFAULT_CONNECT_TIMEOUT, Target, is_url};
