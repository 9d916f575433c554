//! On call around the domain's rules (`domain::oncall`): the
//! configuration's `[[schedules]]` and `[[policies]]` ([`file`]) and
//! calendars of shifts, out and in ([`ics`]).

pub mod file;
pub mod ics;
