//! Status transitions: forward or back, reopen, never straight to
//! `closed` (that is what completing the retrospective does), `canceled` or
//! `duplicate` (their own commands). A closed, canceled or duplicate
//! incident changes status only through `incident reopen`.

use super::event::{Resolution, StatusMove};
use super::{EventData, EventKind, Status};

/// What moving an incident to a new status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Same status: nothing to record.
    Stay,
    /// Between active statuses, forward or back.
    Step,
    /// Into `resolved`.
    Resolve,
    /// From `resolved` or `closed` back to an active status.
    Reopen,
}

impl Move {
    /// The timeline event that records this move from `from` to `to`.
    pub fn event(self, from: Status, to: Status, summary: Option<&str>) -> Option<EventData> {
        let summary = summary.map(String::from);
        match self {
            Move::Stay => None,
            Move::Step => Some(EventData::StatusChanged(StatusMove { from, to, summary })),
            Move::Resolve => Some(EventData::Resolved(Resolution { from, to, summary })),
            Move::Reopen => Some(EventData::Reopened(StatusMove { from, to, summary })),
        }
    }

    /// The kind of event [`Move::event`] records.
    pub fn event_kind(self) -> Option<EventKind> {
        self.event(Status::Investigating, Status::Investigating, None)
            .map(|d| d.kind())
    }
}

/// The statuses `update --status` can move an incident to: the others are
/// reached only by their own commands, so it does not offer them.
pub const SETTABLE: &[Status] = &[
    Status::Investigating,
    Status::Identified,
    Status::Mitigated,
    Status::Resolved,
];

/// Why a status change is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Only completing the retrospective closes an incident.
    ClosedByRetro,
    /// Canceling has its own step, with a reason.
    CanceledApart,
    /// Marking a duplicate has its own step, naming the primary.
    DuplicateApart,
    /// A closed, canceled or duplicate incident (this status) changes
    /// status only when reopened.
    Final(Status),
    /// Reopening goes to an active status, not this one.
    ReopenTo(Status),
    /// Only an ended incident is reopened; this one is this status.
    NothingToReopen(Status),
    /// It is closed already.
    AlreadyClosed,
    /// Closing needs a resolved incident; this one is this status.
    NotResolved(Status),
}

/// Decides a status change, or says why it is not allowed.
pub fn plan(from: Status, to: Status) -> Result<Move, Refused> {
    if from == to {
        return Ok(Move::Stay);
    }
    match (from, to) {
        (_, Status::Closed) => Err(Refused::ClosedByRetro),
        (_, Status::Canceled) => Err(Refused::CanceledApart),
        (_, Status::Duplicate) => Err(Refused::DuplicateApart),
        (from, _) if from.is_final() => Err(Refused::Final(from)),
        (_, Status::Resolved) => Ok(Move::Resolve),
        (Status::Resolved, _) => Ok(Move::Reopen),
        _ => Ok(Move::Step),
    }
}

/// Whether an incident may be reopened from `from` to the active status
/// `to`.
pub fn reopen(from: Status, to: Status) -> Result<(), Refused> {
    if !to.is_open() {
        return Err(Refused::ReopenTo(to));
    }
    if from.is_open() {
        return Err(Refused::NothingToReopen(from));
    }
    Ok(())
}

/// Whether completing the retrospective may close an incident now. This is
/// the only way into `closed`: [`plan`] refuses it to every other change.
pub fn close(from: Status) -> Result<(), Refused> {
    match from {
        Status::Resolved => Ok(()),
        Status::Closed => Err(Refused::AlreadyClosed),
        _ => Err(Refused::NotResolved(from)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn every_pair_of_statuses() {
        for &from in Status::ALL {
            for &to in Status::ALL {
                let got = plan(from, to);
                let want = if from == to {
                    Ok(Move::Stay)
                } else if to.is_final() || from.is_final() {
                    Err(())
                } else if to == Resolved {
                    Ok(Move::Resolve)
                } else if !from.is_open() {
                    Ok(Move::Reopen)
                } else {
                    Ok(Move::Step)
                };
                assert_eq!(got.map_err(|_| ()), want, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn update_offers_only_the_statuses_it_can_reach() {
        for &to in Status::ALL {
            let reachable = Status::ALL
                .iter()
                .any(|&from| from != to && plan(from, to).is_ok());
            assert_eq!(SETTABLE.contains(&to), reachable, "{to}");
        }
    }

    #[test]
    fn only_an_ended_incident_is_reopened_and_only_to_an_active_status() {
        for &from in Status::ALL {
            assert_eq!(reopen(from, Investigating).is_ok(), !from.is_open(), "{from}");
        }
        assert!(reopen(Closed, Resolved).is_err());
        assert!(reopen(Canceled, Mitigated).is_ok());
    }

    #[test]
    fn moves_name_their_events() {
        assert_eq!(
            plan(Investigating, Mitigated).unwrap().event_kind(),
            Some(EventKind::StatusChanged)
        );
        assert_eq!(
            plan(Mitigated, Investigating).unwrap().event_kind(),
            Some(EventKind::StatusChanged)
        );
        assert_eq!(
            plan(Resolved, Investigating).unwrap().event_kind(),
            Some(EventKind::Reopened)
        );
        assert_eq!(
            plan(Identified, Resolved).unwrap().event_kind(),
            Some(EventKind::Resolved)
        );
        assert_eq!(plan(Identified, Identified).unwrap().event_kind(), None);
        assert_eq!(plan(Resolved, Closed), Err(Refused::ClosedByRetro));
        assert_eq!(plan(Closed, Identified), Err(Refused::Final(Closed)));
    }

    #[test]
    fn only_a_resolved_incident_can_be_closed() {
        for &from in Status::ALL {
            assert_eq!(close(from).is_ok(), from == Resolved, "{from}");
        }
        assert_eq!(close(Mitigated), Err(Refused::NotResolved(Mitigated)));
        assert_eq!(close(Closed), Err(Refused::AlreadyClosed));
    }
}
