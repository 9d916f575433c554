//! One conformance suite at the storage boundary, run against every
//! backend: SQLite (a file in a temporary folder) and PostgreSQL (a
//! database of its own on the throwaway server, tests/cli/pg.rs). Each test
//! is written once over `incident::store` and instantiated per backend by
//! `conformance!`: every read and write, what a transaction shows and
//! hides, concurrent appends, migrations from every older schema step, and
//! the stored state of random command sequences against their replayed
//! timelines.

use chrono::{DateTime, Duration, Utc};
use incident::domain::alerts::{Alert, AlertSource, AlertStatus};
use incident::domain::chain::{self, Link};
use incident::domain::plans::{ChangeKind, ChangeRecord};
use incident::domain::retro::{ActionItem, ActionKind, ActionStatus, Retro, RetroDraft};
use incident::domain::roles::RoleDef;
use incident::domain::similar::{Likeness, Reason};
use incident::domain::stats::{Settled, Tallies};
use incident::domain::triage::{Answers, Assessment, Customers};
use incident::domain::{Brief, Category, EventKind, Incident, RoleHolder, Status, ops, replay};
use incident::store::{
    Access, ActionFilter, AlertFilter, Dated, EventQuery, ListFilter, Location, Of, Options, Order, Put,
    Range, ReadsExt, Store, Wait, Writer,
};
use std::path::PathBuf;
use tempfile::TempDir;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Sqlite,
    Postgres,
}

/// An empty database of one backend, kept until the test ends.
struct Db {
    _dir: TempDir,
    location: Location,
}

impl Db {
    fn new(kind: Kind) -> Db {
        let dir = tempfile::tempdir().unwrap();
        let given = match kind {
            Kind::Sqlite => dir.path().join("incidents.db"),
            Kind::Postgres => {
                let server = crate::pg::server();
                let name = server.create_database();
                PathBuf::from(server.url(crate::pg::SUPERUSER, &name))
            }
        };
        Db {
            _dir: dir,
            location: Location::parse(&given).unwrap(),
        }
    }

    fn open(&self) -> Store {
        let options = Options::new(Access::Write);
        Store::open(&self.location, &options).unwrap()
    }
}

fn t(hm: &str) -> DateTime<Utc> {
    format!("2026-11-23T{hm}:00Z").parse().unwrap()
}

/// Writes in one transaction as alice at `now`.
fn write<T>(
    store: &mut Store,
    now: DateTime<Utc>,
    f: impl FnOnce(&mut Writer<'_>) -> anyhow::Result<T>,
) -> T {
    store.write("alice", || Ok(now), f).unwrap().value
}

/// Declares an incident (SEV2 availability on checkout, alice commanding).
fn declare(store: &mut Store, title: &str, at: DateTime<Utc>) -> i64 {
    let draft = Incident {
        title: title.into(),
        severity: "SEV2".into(),
        category: Category::Availability,
        services: vec!["checkout".into()],
        ..Incident::bare()
    };
    write(store, at, |w| w.create(ops::declare(&draft, Some("alice"), at)))
}

/// A firing Alertmanager alert with no labels, first seen `at`, tied to
/// `incident`.
fn firing(identity: &str, summary: &str, at: DateTime<Utc>, incident: i64) -> Alert {
    Alert {
        id: 0,
        source: AlertSource::Alertmanager,
        identity: identity.into(),
        group: None,
        status: AlertStatus::Firing,
        summary: summary.into(),
        severity: None,
        service: None,
        labels: Default::default(),
        link: None,
        starts_at: None,
        ends_at: None,
        first_seen: at,
        last_seen: at,
        times_seen: 1,
        incident_id: Some(incident),
    }
}

fn commander() -> RoleDef {
    RoleDef {
        name: "commander".into(),
        single: true,
    }
}

macro_rules! conformance {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $test() {
                super::$test(super::Kind::Sqlite)
            })*
        }
        mod postgres {
            $(#[test]
            fn $test() {
                super::$test(super::Kind::Postgres)
            })*
        }
    };
}

conformance!(
    an_incident_reads_back_as_it_was_written,
    numbers_are_kept_where_free_and_allocated_past_the_highest,
    events_chain_and_every_query_shape_selects_them,
    roles_assessments_retros_drafts_actions_alerts_and_changes_read_back,
    listings_filter_order_limit_and_count,
    a_transaction_sees_its_own_writes_and_a_dropped_one_leaves_nothing,
    a_store_reads_one_snapshot_until_it_refreshes,
    concurrent_appends_all_land_and_the_chains_hold,
    the_stats_cache_settles_and_forgets,
    every_older_schema_step_migrates_and_reads,
    stored_states_are_what_their_timelines_replay_to,
    deliveries_rooms_and_chat_marks_read_back,
    a_delivery_is_swapped_only_from_the_row_as_it_was,
    component_statuses_and_maintenances_read_back,
    the_search_index_is_kept_in_the_writing_transaction,
    a_narrow_filter_finds_every_match_of_its_incidents,
    an_upgraded_database_is_searchable_at_once,
    similar_incidents_compare_the_prints_stored_with_each_write,
    a_store_open_across_a_newer_upgrade_writes_nothing,
);

/// The status page's storage: component statuses set by hand (every one
/// kept, in order; none hands it back) and scheduled maintenance, read by
/// when it ends.
fn component_statuses_and_maintenances_read_back(kind: Kind) {
    use incident::domain::statuspage::{ComponentMark, ComponentStatus, Maintenance};
    let db = Db::new(kind);
    let mut store = db.open();
    let set = ComponentMark {
        id: 0,
        component: "api".into(),
        status: Some(ComponentStatus::PartialOutage),
        by: "alice".into(),
        at: t("08:00"),
    };
    let back = ComponentMark {
        status: None,
        at: t("09:00"),
        ..set.clone()
    };
    let (first, second) = write(&mut store, t("09:00"), |w| {
        Ok((
            w.transaction().insert_component_mark(&set)?,
            w.transaction().insert_component_mark(&back)?,
        ))
    });
    assert!(second > first && first > 0);
    store.refresh().unwrap();
    assert_eq!(
        store.component_marks().unwrap(),
        [
            ComponentMark { id: first, ..set },
            ComponentMark { id: second, ..back }
        ]
    );
    let upgrade = Maintenance {
        id: 0,
        title: "DB upgrade".into(),
        services: vec!["db".into(), "a|b\"c".into()],
        from: t("22:00"),
        until: t("23:00"),
        by: "alice".into(),
        at: t("08:00"),
    };
    let earlier = Maintenance {
        title: "Earlier".into(),
        from: t("06:00"),
        until: t("07:00"),
        ..upgrade.clone()
    };
    let (late, early) = write(&mut store, t("08:00"), |w| {
        Ok((
            w.transaction().insert_maintenance(&upgrade)?,
            w.transaction().insert_maintenance(&earlier)?,
        ))
    });
    store.refresh().unwrap();
    let all = store.maintenances(t("00:00")).unwrap();
    assert_eq!(
        all,
        [
            Maintenance { id: early, ..earlier },
            Maintenance {
                id: late,
                ..upgrade.clone()
            }
        ],
        "by start"
    );
    assert_eq!(
        store.maintenances(t("07:00")).unwrap().len(),
        2,
        "ending at the time: kept"
    );
    assert_eq!(
        store.maintenances(t("07:01")).unwrap(),
        [Maintenance { id: late, ..upgrade }]
    );
}

fn an_incident_reads_back_as_it_was_written(kind: Kind) {
    let db = Db::new(kind);
    let mut store = db.open();
    let incident = Incident {
        id: 0,
        title: "Checkout \u{0}returns 500s".into(),
        status: Status::Mitigated,
        severity: "SEV1".into(),
        category: Category::Security,
        services: vec!["checkout".into(), "auth".into()],
        channels: vec!["https://chat/inc".into()],
        summary: Some("a summary".into()),
        detected_by: Some(incident::domain::DetectedBy::Customer),
        started_at: Some(t("07:50")),
        declared_at: t("08:00"),
        resolved_at: Some(t("09:00")),
        closed_at: None,
        resolution: Some("rolled back".into()),
        next_update_at: Some(t("09:30")),
        roles: Vec::new(),
        drill: true,
        tags: [("team".into(), "web".into()), ("tier".into(), "1".into())].into(),
        milestones: incident::domain::targets::Milestones {
            acknowledged: Some(t("08:05")),
            triaged: Some(t("08:10")),
        },
    };
    let id = write(&mut store, t("08:00"), |w| {
        w.transaction().insert_incident(&incident, "uid-1", None)
    });
    store.refresh().unwrap();
    let back = store.incident(id).unwrap().unwrap();
    assert_eq!(
        back,
        Incident {
            id,
            ..incident.clone()
        }
    );
    assert_eq!(store.incident(id + 1).unwrap(), None);

    // Every field changes, the tags too.
    let changed = Incident {
        id,
        title: "Customer data exposed".into(),
        status: Status::Resolved,
        tags: [("team".into(), "sec".into())].into(),
        drill: false,
        next_update_at: None,
        milestones: Default::default(),
        ..incident.clone()
    };
    write(&mut store, t("09:00"), |w| {
        w.transaction().put_incident(&changed, None)
    });
    store.refresh().unwrap();
    assert_eq!(store.incident(id).unwrap().unwrap(), changed);
    // Given what it was, a backend may write only what changed: one field
    // at a time, each one back, and all at once, it reads as put.
    let mut now = changed.clone();
    let steps: [&dyn Fn(&mut Incident); 6] = [
        &|i| i.status = Status::Closed,
        &|i| i.severity = "SEV3".into(),
        &|i| i.title = "Customer data exposed, contained".into(),
        &|i| i.tags = Default::default(),
        &|i| i.milestones.acknowledged = Some(t("08:20")),
        &|i| {
            *i = Incident {
                id,
                ..incident.clone()
            }
        },
    ];
    for (n, step) in steps.iter().enumerate() {
        let before = now.clone();
        step(&mut now);
        write(&mut store, t("09:30"), |w| {
            w.transaction().put_incident(&now, Some(&before))
        });
        store.refresh().unwrap();
        assert_eq!(store.incident(id).unwrap().unwrap(), now, "step {n}");
    }
    let found = store
        .incidents(&ListFilter {
            uid: Some("uid-1".into()),
            ..ListFilter::default()
        })
        .unwrap();
    assert_eq!(found.iter().map(|i| i.id).collect::<Vec<_>>(), [id]);
}

fn numbers_are_kept_where_free_and_allocated_past_the_highest(kind: Kind) {
    let db = Db::new(kind);
    let mut store = db.open();
    let draft = Incident {
        title: "x".into(),
        severity: "SEV3".into(),
        declared_at: t("08:00"),
        ..Incident::bare()
    };
    let ids = write(&mut store, t("08:00"), |w| {
        let tx = w.transaction();
        let seven = tx.insert_incident(&draft, "a", Some(7))?;
        let next = tx.insert_incident(&draft, "b", None)?;
        let taken = tx.insert_incident(&draft, "c", Some(7))?;
        let action = |id: i64| ActionItem {
            id,
            incident_id: seven,
            text: "alert on locks".into(),
            owner: "bob".into(),
            due: "2026-12-01".parse().unwrap(),
            kind: ActionKind::Detective,
            status: ActionStatus::Open,
            created_at: t("08:00"),
            done_at: None,
            note: None,
            link: None,
        };
        let a5 = tx.put_action(&action(5), Put::Insert)?;
        let a_taken = tx.put_action(&action(5), Put::Insert)?;
        Ok((seven, next, taken, a5, a_taken))
    });
    assert_eq!(ids, (7, 8, 9, 5, 6));
    assert_eq!(store.next_action_id().unwrap(), 7);
}

fn events_chain_and_every_query_shape_selects_them(kind: Kind) {
    let db = Db::new(kind);
    let mut store = db.open();
    let a = declare(&mut store, "a", t("08:00"));
    let b = declare(&mut store, "b", t("08:01"));
    let newest_before = store.arrived_after(None, None).unwrap().1;
    write(&mut store, t("08:30"), |w| {
        let i = w.incident(a)?.unwrap();
        let request = ops::UpdateRequest {
            entry: Some(ops::Entry {
                kind: incident::domain::EntryKind::Evidence,
                external: false,
                text: "backdated".into(),
            }),
            ..Default::default()
        };
        // Happened before the declaration's commander, recorded after.
        w.apply(ops::update(&i, &request, t("07:59"), &Default::default()).unwrap())?;
        let i = w.incident(a)?.unwrap();
        w.apply(ops::change_severity(&i, "SEV1", t("08:30"), Some("worse")))?;
        Ok(())
    });
    store.refresh().unwrap();
    let (timeline, total) = store.timeline(a, None).unwrap();
    let kinds: Vec<EventKind> = timeline.iter().map(|e| e.kind()).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Evidence,
            EventKind::Declared,
            EventKind::RoleAssigned,
            EventKind::SeverityChanged
        ],
        "in the order they happened"
    );
    assert_eq!(total, 4);
    let (last, total) = store.timeline(a, Some(2)).unwrap();
    assert_eq!(
        last.iter().map(|e| e.kind()).collect::<Vec<_>>(),
        [EventKind::RoleAssigned, EventKind::SeverityChanged]
    );
    assert_eq!(total, 4);
    assert_eq!(store.event_count(a).unwrap(), 4);
    assert_eq!(
        store
            .latest_event(a, EventKind::SETS_SEVERITY)
            .unwrap()
            .map(|e| e.text),
        Some("Severity SEV2 → SEV1: worse".into())
    );
    let latest = store.latest(a).unwrap();
    assert_eq!(latest.status, None);
    assert_eq!(latest.severity.map(|m| m.at), Some(t("08:30")));
    let of_kinds = store.events_of_each(&[a, b], &[EventKind::Declared]).unwrap();
    assert_eq!(of_kinds.len(), 2);
    let selected = store
        .events(EventQuery {
            of: Of::Selected(&ListFilter {
                severities: vec!["SEV1".into()],
                ..ListFilter::default()
            }),
            kinds: &[
                EventKind::SeverityChanged,
                EventKind::StatusUpdate,
                EventKind::Comms,
            ],
            range: Range::All,
        })
        .unwrap();
    assert_eq!(selected.iter().map(|e| e.incident_id).collect::<Vec<_>>(), [a]);
    // Arrival order: the backdated entry arrived after b's declaration.
    let (arrived, newest) = store.arrived_after(None, Some(newest_before)).unwrap();
    assert_eq!(
        arrived.iter().map(|e| e.kind()).collect::<Vec<_>>(),
        [EventKind::Evidence, EventKind::SeverityChanged]
    );
    assert_eq!(newest, newest_before + 2);
    let (of_b, _) = store.arrived_after(Some(b), Some(newest_before)).unwrap();
    assert!(of_b.is_empty());
    // Every chain checks out, and the checkpoint covers every event.
    for id in [a, b] {
        let chain = store.chain(id).unwrap().unwrap();
        let links: Vec<Link<'_>> = chain.rows.iter().map(|r| r.link()).collect();
        assert!(chain::verify(&chain.uid, chain.head.as_deref(), &links).is_empty());
    }
    assert_eq!(store.checkpoint(None).unwrap().upto, newest);
    // An event from another database keeps its number where free.
    let row = store.chain(a).unwrap().unwrap().rows[0].clone();
    let (copy, kept) = write(&mut store, t("09:00"), |w| {
        let c = w.transaction().insert_incident(&Incident::bare(), "copy", None)?;
        let n = w.transaction().append(
            c,
            incident::store::Append::Verbatim {
                row: &row,
                number: Some(1000),
            },
        )?;
        Ok((c, n))
    });
    assert_eq!(kept, 1000);
    // What it names is kept beside it, and read back by incident.
    let numbers = incident::domain::refs::Renumbering {
        incidents: [(1, 7)].into(),
        ..Default::default()
    };
    write(&mut store, t("09:01"), |w| {
        w.transaction().put_renumbered(kept, &numbers)
    });
    store.refresh().unwrap();
    for of in [Of::Incident(copy), Of::Incidents(&[a, copy]), Of::All] {
        assert_eq!(store.renumbered(of).unwrap(), [(kept, numbers.clone())].into());
    }
    assert!(store.renumbered(Of::Incident(a)).unwrap().is_empty());
}

fn roles_assessments_retros_drafts_actions_alerts_and_changes_read_back(kind: Kind) {
    let db = Db::new(kind);
    let mut store = db.open();
    let id = declare(&mut store, "a", t("08:00"));
    let bob = RoleHolder {
        role: "scribe".into(),
        person: "bob".into(),
    };
    let assessment = Assessment {
        id: 0,
        incident_id: id,
        event_id: 1,
        at: t("08:10"),
        author: "alice".into(),
        answers: Answers {
            impact: "checkout fails".into(),
            sees: "500s".into(),
            customers: Customers::Some,
            started_at: t("07:50"),
            tickets: 3,
            factors: vec![],
            checked: vec!["A1"],
        },
        suggested: "SEV2".into(),
        reason: "SEV2 because some customers are affected".into(),
        severity: "SEV2".into(),
    };
    let retro = Dated {
        value: Retro {
            root_cause: Some("a lock".into()),
            whys: vec!["a".into(), "b".into()],
            ..Retro::default()
        },
        created_at: t("10:00"),
        updated_at: t("10:05"),
    };
    let draft = RetroDraft {
        answers: "impact = \"x\"".into(),
        author: "alice".into(),
        saved_at: t("10:01"),
    };
    let action = |text: &str, owner: &str, due: &str| ActionItem {
        id: 0,
        incident_id: id,
        text: text.into(),
        owner: owner.into(),
        due: due.parse().unwrap(),
        kind: ActionKind::Preventive,
        status: ActionStatus::Open,
        created_at: t("10:00"),
        done_at: None,
        note: None,
        link: None,
    };
    let alert = Alert {
        id: 0,
        source: AlertSource::Alertmanager,
        identity: "c0ffee".into(),
        group: Some("g".into()),
        status: AlertStatus::Firing,
        summary: "High error rate".into(),
        severity: Some("critical".into()),
        service: Some("checkout".into()),
        labels: [("alertname".into(), "Errors".into())].into(),
        link: None,
        starts_at: Some(t("07:55")),
        ends_at: None,
        first_seen: t("07:56"),
        last_seen: t("07:58"),
        times_seen: 2,
        incident_id: Some(id),
    };
    let change = ChangeRecord {
        id: 0,
        at: t("07:30"),
        title: "deploy 4821".into(),
        kind: ChangeKind::Deploy,
        services: vec!["checkout".into()],
        link: None,
        author: "ci".into(),
    };
    let (later, done, alert_id) = write(&mut store, t("10:00"), |w| {
        let tx = w.transaction();
        tx.put_role(id, &bob, Some(t("08:20")))?;
        // Held already: the first time stays.
        tx.put_role(id, &bob, Some(t("09:00")))?;
        tx.put_assessment(&assessment)?;
        tx.put_retro(id, &retro)?;
        tx.put_retro_draft(id, Some(&draft))?;
        let later = tx.put_action(&action("docs", "bob", "2026-12-20"), Put::Insert)?;
        let soon = tx.put_action(&action("alert", "erin", "2026-12-01"), Put::Insert)?;
        let done = ActionItem {
            id: soon,
            status: ActionStatus::Done,
            done_at: Some(t("11:00")),
            note: Some("shipped".into()),
            link: Some("https://t/OPS-1".into()),
            ..action("alert", "erin", "2026-12-01")
        };
        tx.put_action(&done, Put::Update)?;
        let alert_id = tx.put_alert(&alert, Put::Insert)?;
        tx.insert_change(&change, t("07:31"))?;
        Ok((later, done, alert_id))
    });
    store.refresh().unwrap();
    let roles = store.roles(id).unwrap();
    assert!(roles.contains(&(bob.clone(), t("08:20"))), "{roles:?}");
    assert_eq!(store.incident(id).unwrap().unwrap().roles.len(), 2);
    let got = store.assessment(id).unwrap().unwrap();
    assert_eq!(
        (got.answers, got.severity),
        (assessment.answers, assessment.severity)
    );
    assert_eq!(store.dated_retro(id).unwrap(), Some(retro));
    assert_eq!(store.retro_draft(id).unwrap(), Some(draft));
    let all = store.actions(&ActionFilter::default()).unwrap();
    assert_eq!(
        all.iter().map(|a| a.id).collect::<Vec<_>>(),
        [done.id, later],
        "soonest due first"
    );
    assert_eq!(all[0], done);
    let open = store
        .actions(&ActionFilter {
            open: true,
            ..ActionFilter::default()
        })
        .unwrap();
    assert_eq!(open.iter().map(|a| a.id).collect::<Vec<_>>(), [later]);
    let overdue = store.overdue_actions("2026-12-21".parse().unwrap()).unwrap();
    assert_eq!(overdue.iter().map(|a| a.id).collect::<Vec<_>>(), [later]);
    assert_eq!(store.action(later).unwrap().map(|a| a.owner), Some("bob".into()));
    let alerts = store
        .alerts(&AlertFilter {
            identity: Some((AlertSource::Alertmanager, "c0ffee".into())),
            ..AlertFilter::default()
        })
        .unwrap();
    assert_eq!(
        alerts,
        [Alert {
            id: alert_id,
            ..alert.clone()
        }]
    );
    assert!(
        store
            .alerts(&AlertFilter {
                unattached: true,
                ..AlertFilter::default()
            })
            .unwrap()
            .is_empty()
    );
    // Each alert row is sealed with what it records, and the seal read back.
    let seals = store.alert_seals(&AlertFilter::default()).unwrap();
    assert_eq!(seals.get(&alert_id), Some(&Some(alert.seal())));
    let changes = store.changes(t("07:00"), t("08:00")).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].title, "deploy 4821");
    assert!(store.changes(t("07:31"), t("08:00")).unwrap().is_empty());
    // The draft goes; the role holder leaves.
    write(&mut store, t("11:00"), |w| {
        w.transaction().put_retro_draft(id, None)?;
        w.transaction().put_role(id, &bob, None)
    });
    store.refresh().unwrap();
    assert_eq!(store.retro_draft(id).unwrap(), None);
    assert!(!store.roles(id).unwrap().iter().any(|(h, _)| *h == bob));
}

fn deliveries_rooms_and_chat_marks_read_back(kind: Kind) {
    use incident::domain::notify::{Delivery, Failure, Room};
    let db = Db::new(kind);
    let mut store = db.open();
    let a = declare(&mut store, "a", t("08:00"));
    let b = declare(&mut store, "b", t("08:01"));
    store.refresh().unwrap();
    // Events in arrival order with their arrival numbers, from a cursor.
    let all = store.arrivals(0, 100).unwrap();
    assert_eq!(
        all.iter().map(|(_, e)| e.incident_id).collect::<Vec<_>>(),
        [a, a, b, b],
        "declared and its commander, each"
    );
    let numbers: Vec<i64> = all.iter().map(|(n, _)| *n).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    let after = store.arrivals(numbers[1], 1).unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].0, numbers[2]);
    assert!(store.arrivals(numbers[3], 10).unwrap().is_empty());
    // A delivery as each step of its life leaves it.
    let fresh = Delivery::new("chat", numbers[1]);
    let claimed = fresh.claim("deliverer-1", t("08:02")).unwrap();
    let failed = claimed.failed(&Failure::of_status(503, None, "down"), t("08:03"), 0.5);
    let parked = failed.failed(&Failure::of_status(404, None, "gone"), t("08:04"), 0.5);
    // Where its reading of the chat stands, kept with it.
    let reading = Delivery {
        chat: Some("s72594_4483_1934".into()),
        ..claimed.advanced(numbers[2], 1, t("08:03"))
    };
    for d in [&fresh, &claimed, &failed, &parked, &reading] {
        write(&mut store, t("08:05"), |w| w.transaction().put_delivery(d));
        store.refresh().unwrap();
        assert_eq!(store.deliveries().unwrap(), std::slice::from_ref(d));
    }
    write(&mut store, t("08:05"), |w| {
        w.transaction().put_delivery(&Delivery::new("mail", 0))
    });
    store.refresh().unwrap();
    let names: Vec<String> = store
        .deliveries()
        .unwrap()
        .into_iter()
        .map(|d| d.destination)
        .collect();
    assert_eq!(names, ["chat", "mail"]);
    // Rooms, by destination and incident, replaced in place.
    let room = Room {
        destination: "matrix".into(),
        incident_id: a,
        room: "!abc:example.org".into(),
        link: "https://matrix.to/#/!abc:example.org".into(),
        topic: None,
    };
    let topical = Room {
        topic: Some("INC-1 SEV2".into()),
        ..room.clone()
    };
    write(&mut store, t("08:06"), |w| {
        w.transaction().put_room(&room)?;
        w.transaction().put_room(&topical)
    });
    store.refresh().unwrap();
    assert_eq!(store.rooms("matrix").unwrap(), [topical]);
    assert!(store.rooms("other").unwrap().is_empty());
    // A chat message recorded once: a second mark of it fails.
    let event = all[0].1.id;
    write(&mut store, t("08:07"), |w| {
        w.transaction().mark_seen("matrix:$one", event)
    });
    store.refresh().unwrap();
    let asked = ["matrix:$one".to_string(), "matrix:$two".to_string()];
    assert_eq!(store.seen(&asked).unwrap(), ["matrix:$one"]);
    assert!(store.seen(&[]).unwrap().is_empty());
    let again = store.write(
        "alice",
        || Ok(t("08:08")),
        |w| w.transaction().mark_seen("matrix:$one", event),
    );
    assert!(again.is_err());
    // On-call overrides: numbered, read by schedule and by end, removed.
    let cover = incident::domain::oncall::Override {
        id: 0,
        schedule: "db".into(),
        layer: "primary".into(),
        person: "carol".into(),
        from: t("09:00"),
        until: t("17:00"),
        by: "alice".into(),
        at: t("08:09"),
    };
    let other = incident::domain::oncall::Override {
        schedule: "web".into(),
        from: t("08:00"),
        until: t("10:00"),
        ..cover.clone()
    };
    let (first, second) = write(&mut store, t("08:09"), |w| {
        Ok((
            w.transaction().insert_override(&cover)?,
            w.transaction().insert_override(&other)?,
        ))
    });
    assert!(second > first && first > 0);
    store.refresh().unwrap();
    assert_eq!(
        store.overrides(Some("db"), t("08:00")).unwrap(),
        [incident::domain::oncall::Override { id: first, ..cover }]
    );
    let all: Vec<i64> = store
        .overrides(None, t("08:00"))
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(all, [second, first], "by start");
    assert!(store.overrides(None, t("17:00")).unwrap().is_empty(), "ended");
    assert!(write(&mut store, t("08:10"), |w| w
        .transaction()
        .delete_override(first)));
    assert!(!write(&mut store, t("08:10"), |w| w
        .transaction()
        .delete_override(first)));
    store.refresh().unwrap();
    assert!(store.overrides(Some("db"), t("08:00")).unwrap().is_empty());
}

/// The compare-and-set deliverers take turns with: a destination's row is
/// replaced only from the row as it was (every column compared), whatever
/// connection changed it meanwhile; a row is added only where there is
/// none.
fn a_delivery_is_swapped_only_from_the_row_as_it_was(kind: Kind) {
    use incident::domain::notify::{Delivery, Failure};
    let db = Db::new(kind);
    let mut store = db.open();
    declare(&mut store, "a", t("08:00"));
    let fresh = Delivery::new("chat", 2);
    // In a read snapshot: the swap ends it, and the next read sees it.
    assert!(store.deliveries().unwrap().is_empty());
    assert!(store.swap_delivery(None, &fresh).unwrap());
    assert_eq!(store.deliveries().unwrap(), std::slice::from_ref(&fresh));
    assert!(
        !store.swap_delivery(None, &Delivery::new("chat", 0)).unwrap(),
        "a row is there already"
    );
    assert!(store.swap_delivery(None, &Delivery::new("mail", 0)).unwrap());
    // Two deliverers claim from the same row: one wins. The times have
    // fractions of a second, which are stored to the second.
    let at = t("08:01") + Duration::milliseconds(250);
    let one = fresh.claim("deliverer-1", at).unwrap();
    let two = fresh.claim("deliverer-2", at).unwrap();
    assert!(store.swap_delivery(Some(&fresh), &one).unwrap());
    assert!(!store.swap_delivery(Some(&fresh), &two).unwrap());
    // Each step from the row as this deliverer stored it.
    let moved = one.advanced(3, 1, at + Duration::milliseconds(300));
    assert!(store.swap_delivery(Some(&one), &moved).unwrap());
    let reading = Delivery {
        chat: Some("s72594_4483_1934".into()),
        ..moved.advanced(3, 0, at + Duration::milliseconds(600))
    };
    assert!(store.swap_delivery(Some(&moved), &reading).unwrap());
    let failed = reading.failed(&Failure::of_status(503, None, "down\0 for now"), at, 0.5);
    assert!(store.swap_delivery(Some(&reading), &failed).unwrap());
    assert!(
        !store.swap_delivery(Some(&reading), &failed).unwrap(),
        "from a row that is no longer there"
    );
    // From the row as read back, too.
    let stored = store.deliveries().unwrap();
    assert_eq!(stored[0].last_error.as_deref(), Some("HTTP 503: down\0 for now"));
    let parked = stored[0].failed(&Failure::of_status(404, None, "gone"), at, 0.5);
    assert!(store.swap_delivery(Some(&stored[0]), &parked).unwrap());
    // Another connection changes the row: a swap from what this one read
    // fails, and leaves the row as the other left it.
    let read = store.deliveries().unwrap()[0].clone();
    let mut other = db.open();
    write(&mut other, t("08:05"), |w| {
        w.transaction().put_delivery(&read.retried())
    });
    let next = Delivery {
        cursor: 9,
        ..read.clone()
    };
    assert!(!store.swap_delivery(Some(&read), &next).unwrap());
    let now = store.deliveries().unwrap();
    assert_eq!(now[0], read.retried());
    assert_eq!(now[1], Delivery::new("mail", 0), "the other row untouched");
}

fn listings_filter_order_limit_and_count(kind: Kind) {
    let db = Db::new(kind);
    let mut store = db.open();
    let mut ids = Vec::new();
    for (n, (severity, drill)) in [("SEV2", false), ("SEV1", false), ("SEV3", true), ("SEV1", false)]
        .into_iter()
        .enumerate()
    {
        let at = t("08:00") + Duration::minutes(n as i64);
        let draft = Incident {
            title: format!("i{n}"),
            severity: severity.into(),
            drill,
            summary: (n % 2 == 1).then(|| format!("summary {n}")),
            services: vec![format!("svc{n}"), "shared".into()],
            tags: match n {
                0 => [("team".to_string(), "web".to_string())].into(),
                _ => Default::default(),
            },
            ..Incident::bare()
        };
        ids.push(write(&mut store, at, |w| {
            w.create(ops::declare(&draft, None, at))
        }));
    }
    store.refresh().unwrap();
    let levels = ["SEV1".to_string(), "SEV2".into(), "SEV3".into()];
    let listed = |filter: &ListFilter, order: Order<'_>| {
        let mut got = Vec::new();
        store
            .each_incident(filter, order, &mut |i| {
                got.push(i.id);
                Ok(())
            })
            .unwrap();
        got
    };
    let all = ListFilter::default();
    assert_eq!(
        listed(&all, Order::Severity(&levels)),
        [ids[1], ids[3], ids[0], ids[2]]
    );
    assert_eq!(listed(&all, Order::Number), ids);
    let two = ListFilter {
        limit: Some(2),
        ..ListFilter::default()
    };
    assert_eq!(listed(&two, Order::Severity(&levels)), [ids[1], ids[3]]);
    assert_eq!(listed(&two, Order::Number), ids[..2]);
    assert_eq!(store.count(&two).unwrap(), 4, "the limit aside");
    let filters = [
        (
            ListFilter {
                severities: vec!["SEV1".into()],
                ..ListFilter::default()
            },
            vec![ids[1], ids[3]],
        ),
        (
            ListFilter {
                drill: Some(true),
                ..ListFilter::default()
            },
            vec![ids[2]],
        ),
        (
            ListFilter {
                tags: vec![("team".into(), "web".into())],
                ..ListFilter::default()
            },
            vec![ids[0]],
        ),
        (
            ListFilter {
                since: Some(t("08:02")),
                ..ListFilter::default()
            },
            vec![ids[2], ids[3]],
        ),
        (
            ListFilter {
                after: Some(ids[1]),
                ..ListFilter::default()
            },
            vec![ids[2], ids[3]],
        ),
        (
            ListFilter {
                statuses: vec![Status::Resolved],
                ..ListFilter::default()
            },
            vec![],
        ),
    ];
    // Headlines: the same incidents in the same order as whole reads, each
    // what the whole incident says.
    let briefs = |filter: &ListFilter| {
        let mut got = Vec::new();
        store
            .each_brief(filter, &mut |b| {
                got.push(b);
                Ok(())
            })
            .unwrap();
        got
    };
    let whole = |filter: &ListFilter| {
        let mut got = Vec::new();
        store
            .each_incident(filter, Order::Number, &mut |i| {
                got.push(Brief::of(&i));
                Ok(())
            })
            .unwrap();
        got
    };
    assert_eq!(briefs(&two), whole(&two));
    assert_eq!(briefs(&two).len(), 2);
    for (filter, want) in filters {
        assert_eq!(listed(&filter, Order::Number), want, "{filter:?}");
        assert_eq!(store.count(&filter).unwrap(), want.len(), "{filter:?}");
        let got = briefs(&filter);
        assert_eq!(got.iter().map(|b| b.id).collect::<Vec<_>>(), want, "{filter:?}");
        assert_eq!(got, whole(&filter), "{filter:?}");
    }
    assert_eq!(store.incident_ids().unwrap(), ids);
}

fn a_transaction_sees_its_own_writes_and_a_dropped_one_leaves_nothing(kind: Kind) {
    let db = Db::new(kind);
    let mut store = db.open();
    let kept = declare(&mut store, "kept", t("08:00"));
    let failed = store.write(
        "alice",
        || Ok(t("08:05")),
        |w| -> anyhow::Result<()> {
            let draft = Incident {
                title: "dropped".into(),
                severity: "SEV3".into(),
                ..Incident::bare()
            };
            let id = w.create(ops::declare(&draft, Some("bob"), t("08:05")))?;
            // Inside, it is there with its events.
            assert_eq!(w.incident(id)?.map(|i| i.title), Some("dropped".into()));
            assert_eq!(w.timeline(id, None)?.1, 2);
            anyhow::bail!("changed my mind")
        },
    );
    assert!(failed.is_err());
    store.refresh().unwrap();
    assert_eq!(store.incident_ids().unwrap(), [kept], "nothing of it is left");
    assert_eq!(
        store.arrived_after(None, None).unwrap().1,
        2,
        "nor any of its events"
    );
    // A transaction begun and dropped by hand leaves nothing either.
    {
        let mut tx = store.backend().begin(Wait::Yes).unwrap().unwrap();
        tx.insert_incident(&Incident::bare(), "gone", None).unwrap();
    }
    store.refresh().unwrap();
    assert_eq!(store.incident_ids().unwrap(), [kept]);
    // The next number is the one after the last kept.
    assert_eq!(declare(&mut store, "next", t("08:10")), kept + 1);
}

fn a_store_reads_one_snapshot_until_it_refreshes(kind: Kind) {
    let db = Db::new(kind);
    let mut reader = db.open();
    let mut writer = db.open();
    let first = declare(&mut writer, "first", t("08:00"));
    assert_eq!(reader.incident_ids().unwrap(), [first]);
    let second = declare(&mut writer, "second", t("08:01"));
    assert_eq!(
        reader.incident_ids().unwrap(),
        [first],
        "the reader's snapshot holds"
    );
    reader.refresh().unwrap();
    assert_eq!(reader.incident_ids().unwrap(), [first, second]);
    // A write of the reader's own ends its snapshot too.
    let third = declare(&mut writer, "third", t("08:02"));
    declare(&mut reader, "fourth", t("08:03"));
    assert_eq!(reader.incident_ids().unwrap().len(), 4, "{third}");
}

fn concurrent_appends_all_land_and_the_chains_hold(kind: Kind) {
    let db = Db::new(kind);
    let mut store = db.open();
    let id = declare(&mut store, "busy", t("08:00"));
    const WRITERS: usize = 6;
    const EACH: usize = 25;
    // The clock is read once each writer holds the lock, as the store
    // promises: times then rise in the order events are recorded.
    let tick = std::sync::atomic::AtomicI64::new(0);
    std::thread::scope(|s| {
        for n in 0..WRITERS {
            let (db, tick) = (&db, &tick);
            s.spawn(move || {
                let mut store = db.open();
                for _ in 0..EACH {
                    let clock = || {
                        let k = tick.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        Ok(t("09:00") + Duration::seconds(k))
                    };
                    store
                        .write(&format!("writer{n}"), clock, |w| {
                            let i = w.incident(id)?.unwrap();
                            let role = RoleDef {
                                name: "scribe".into(),
                                single: true,
                            };
                            w.apply(ops::assign_role(&i, &role, &format!("p{n}"), w.now()).unwrap())
                        })
                        .unwrap();
                }
            });
        }
    });
    store.refresh().unwrap();
    let (events, total) = store.timeline(id, None).unwrap();
    assert_eq!(total, events.len());
    // Each writer handed the role to itself at least once, and every
    // handover or assignment that changed a holder is recorded.
    let handovers = events
        .iter()
        .filter(|e| matches!(e.kind(), EventKind::RoleAssigned | EventKind::RoleHandover))
        .count();
    assert!(handovers > WRITERS, "{handovers}");
    let chain = store.chain(id).unwrap().unwrap();
    let links: Vec<Link<'_>> = chain.rows.iter().map(|r| r.link()).collect();
    assert!(chain::verify(&chain.uid, chain.head.as_deref(), &links).is_empty());
    // The stored roles are what the timeline says.
    let replayed = replay::replay(events.iter().map(|e| (e.id, e.at, &e.data))).unwrap();
    let incident = store.incident(id).unwrap().unwrap();
    assert!(replay::disagreements(&incident, &replayed).is_empty());
    let mut numbers: Vec<i64> = events.iter().map(|e| e.id).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), events.len(), "every event has a number of its own");
}

fn the_stats_cache_settles_and_forgets(kind: Kind) {
    let db = Db::new(kind);
    let mut store = db.open();
    let id = declare(&mut store, "settled", t("08:00"));
    let settled = Settled {
        id,
        declared_at: t("08:00"),
        severity: "SEV2".into(),
        category: Category::Availability,
        detect_seconds: Some(60),
        acknowledge_seconds: Some(0),
        resolve_seconds: Some(3600),
        tallies: Tallies::default(),
    };
    let kept = write(&mut store, t("12:00"), |w| {
        w.transaction().settle(7, std::slice::from_ref(&settled))
    });
    assert_eq!(kept, 1);
    store.refresh().unwrap();
    let groups = store.settled_groups(7, t("00:00")).unwrap();
    assert_eq!(groups.iter().map(|g| g.incidents).sum::<usize>(), 1);
    let unsettled = ListFilter {
        unsettled: Some(7),
        ..ListFilter::default()
    };
    assert!(store.incidents(&unsettled).unwrap().is_empty());
    assert_eq!(
        store
            .incidents(&ListFilter {
                unsettled: Some(8),
                ..ListFilter::default()
            })
            .unwrap()
            .len(),
        1
    );
    write(&mut store, t("12:01"), |w| w.transaction().unsettle(id));
    store.refresh().unwrap();
    assert!(
        store
            .settled_groups(7, t("00:00"))
            .unwrap()
            .iter()
            .all(|g| g.incidents == 0)
    );
    assert_eq!(store.incidents(&unsettled).unwrap().len(), 1);
    // A writer that cannot wait is told so, not made to wait.
    let mut holder = db.open();
    let _held = holder.backend().begin(Wait::Yes).unwrap().unwrap();
    assert!(store.backend().begin(Wait::No).unwrap().is_none());
}

/// A database at every older schema step, holding one incident with its
/// declaration written as that step's schema stores it, opens (migrating
/// forward) and reads back.
fn every_older_schema_step_migrates_and_reads(kind: Kind) {
    let steps = match kind {
        Kind::Sqlite => incident::store::sqlite::migrations::LATEST,
        Kind::Postgres => incident::store::pg::migrations::LATEST,
    };
    for version in 1..steps {
        let db = Db::new(kind);
        match kind {
            Kind::Sqlite => {
                let path = db.location.given().to_path_buf();
                let conn = rusqlite::Connection::open(&path).unwrap();
                incident::store::sqlite::migrations::upgrade_to(&conn, 0, version).unwrap();
                conn.execute_batch(
                    "INSERT INTO incidents (title, status, severity, category, declared_at) \
                     VALUES ('old', 'investigating', 'SEV2', 'other', '2026-11-23T08:00:00Z'); \
                     INSERT INTO events (incident_id, at, recorded_at, author, kind, text, details) \
                     VALUES (1, '2026-11-23T08:00:00Z', '2026-11-23T08:00:00Z', 'alice', 'declared', \
                     'Declared SEV2 other: old', '{\"category\":\"other\",\"channels\":[],\"detected_by\":null,\
                     \"services\":[],\"severity\":\"SEV2\",\"started_at\":null,\"summary\":null,\"title\":\"old\"}');",
                )
                .unwrap();
                conn.pragma_update(None, "user_version", version).unwrap();
            }
            Kind::Postgres => {
                let name = db.location.given().to_string_lossy().into_owned();
                let mut c = ::postgres::Client::connect(&name, ::postgres::NoTls).unwrap();
                for step in &incident::store::pg::migrations::STEPS[..version as usize] {
                    c.batch_execute(step.sql).unwrap();
                    c.batch_execute(step.guards).unwrap();
                }
                c.batch_execute(&format!(
                    "INSERT INTO incident_schema (one, version) VALUES (true, {version}) \
                     ON CONFLICT (one) DO UPDATE SET version = excluded.version; \
                     INSERT INTO incidents (id, uid, title, status, severity, category, declared_at) \
                     VALUES (1, 'u1', 'old', 'investigating', 'SEV2', 'other', '2026-11-23T08:00:00Z');"
                ))
                .unwrap();
            }
        }
        let mut store = db.open();
        let old = store
            .incident(1)
            .unwrap()
            .unwrap_or_else(|| panic!("version {version}"));
        assert_eq!(old.title, "old", "version {version}");
        // And it takes new writes at the current version.
        let id = declare(&mut store, "new", t("09:00"));
        store.refresh().unwrap();
        assert_eq!(store.incident(id).unwrap().map(|i| i.title), Some("new".into()));
        assert_eq!(store.timeline(id, None).unwrap().1, 2, "version {version}");
    }
}

/// Random sequences of real operations, stored through the store: every
/// incident's stored state (and its cached milestones and count) is what
/// its stored timeline replays to.
fn stored_states_are_what_their_timelines_replay_to(kind: Kind) {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let cases = match kind {
        Kind::Sqlite => 24,
        Kind::Postgres => 8,
    };
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let step = (0..9usize, 0..3usize, 0..3usize);
    runner
        .run(&proptest::collection::vec(step, 1..30), |steps| {
            let db = Db::new(kind);
            let mut store = db.open();
            let id = declare(&mut store, "random", t("08:00"));
            for (n, (op, x, y)) in steps.iter().copied().enumerate() {
                let at = t("08:00") + Duration::minutes(n as i64 + 1);
                write(&mut store, at, |w| {
                    let i = w.incident(id)?.unwrap();
                    let people = ["alice", "bob", "carol"];
                    let levels = ["SEV1", "SEV2", "SEV3"];
                    let latest = w.latest(id)?;
                    let change = match op {
                        0 => ops::assign_role(&i, &commander(), people[x], at).ok(),
                        1 => ops::remove_role(&i, &commander(), people[x], at).ok(),
                        2 => Some(ops::change_severity(&i, levels[x], at, None)),
                        3 => ops::resolve(&i, Some("fixed"), at, &latest).ok(),
                        4 => ops::reopen(&i, "INC", Status::ALL[y], "again", None, at)
                            .ok()
                            .map(|(c, _)| c),
                        5 => ops::cancel(&i, "false alarm", at).ok(),
                        6 => ops::edit(
                            &i,
                            &ops::EditRequest {
                                title: Some(format!("title {n}")),
                                set_tags: vec![(format!("k{x}"), format!("v{y}"))],
                                ..Default::default()
                            },
                            at,
                        )
                        .ok(),
                        7 => ops::update(
                            &i,
                            &ops::UpdateRequest {
                                entry: Some(ops::Entry {
                                    kind: incident::domain::EntryKind::Note,
                                    external: x == 0,
                                    text: format!("update {n}"),
                                }),
                                next_update: (x == 0).then(|| at + Duration::minutes(30)),
                                status: incident::domain::lifecycle::SETTABLE.get(y).copied(),
                                ..Default::default()
                            },
                            at,
                            &latest,
                        )
                        .ok(),
                        _ => {
                            let a = Assessment {
                                id: 0,
                                incident_id: id,
                                event_id: 0,
                                at,
                                author: "alice".into(),
                                answers: Answers {
                                    impact: "x".into(),
                                    sees: "y".into(),
                                    customers: Customers::Some,
                                    started_at: t("07:50"),
                                    tickets: 0,
                                    factors: vec![],
                                    checked: vec![],
                                },
                                suggested: "SEV2".into(),
                                reason: "SEV2 because some customers are affected".into(),
                                severity: levels[y].into(),
                            };
                            ops::assess(&i, a, at).ok()
                        }
                    };
                    if let Some(change) = change {
                        w.apply(change)?;
                    }
                    Ok(())
                });
            }
            store.refresh().unwrap();
            let stored = store.incident(id).unwrap().unwrap();
            let (events, count) = store.timeline(id, None).unwrap();
            let events_by_id = {
                let mut e = events.clone();
                e.sort_by_key(|e| e.id);
                e
            };
            let replayed = replay::replay(events_by_id.iter().map(|e| (e.id, e.at, &e.data))).unwrap();
            prop_assert_eq!(replay::disagreements(&stored, &replayed), Vec::<&str>::new());
            prop_assert_eq!(stored.milestones, replayed.state.milestones);
            prop_assert_eq!(stored.next_update_at, replayed.state.next_update_at);
            prop_assert_eq!(count, store.chain(id).unwrap().unwrap().rows.len());
            let assessed = events.iter().filter(|e| e.kind() == EventKind::Assessed).count();
            prop_assert_eq!(store.assessments(id).unwrap().len(), assessed);
            Ok(())
        })
        .unwrap();
}

/// What the search index finds: (incident, where), best first.
fn found(store: &Store, query: &str, filter: &ListFilter) -> Vec<(i64, &'static str)> {
    let query = incident::domain::search::Query::parse(query).unwrap();
    store
        .search(&query, filter)
        .unwrap()
        .hits
        .iter()
        .map(|h| (h.incident_id, h.place.as_str()))
        .collect()
}

/// The index is written by the primitives in the writing transaction: a
/// transaction that sees its own text, a dropped one leaves no trace in
/// the index, a changed text replaces the old, an alert moved to no
/// incident takes its text along, and the filter and limit apply.
fn the_search_index_is_kept_in_the_writing_transaction(kind: Kind) {
    let db = Db::new(kind);
    let mut store = db.open();
    let everyone = ListFilter::default();
    let kept = declare(&mut store, "Disk full on checkout", t("08:00"));
    let failed = store.write(
        "alice",
        || Ok(t("08:05")),
        |w| -> anyhow::Result<()> {
            let draft = Incident {
                title: "zebra stampede".into(),
                severity: "SEV3".into(),
                ..Incident::bare()
            };
            let id = w.create(ops::declare(&draft, Some("bob"), t("08:05")))?;
            let query = incident::domain::search::Query::parse("zebra").unwrap();
            let inside = w.search(&query, &ListFilter::default())?;
            assert_eq!(
                inside.hits.iter().map(|h| h.incident_id).collect::<Vec<_>>(),
                [id]
            );
            anyhow::bail!("changed my mind")
        },
    );
    assert!(failed.is_err());
    store.refresh().unwrap();
    assert_eq!(found(&store, "zebra", &everyone), []);
    // A transaction begun and dropped by hand leaves nothing either.
    {
        let mut tx = store.backend().begin(Wait::Yes).unwrap().unwrap();
        let gone = Incident {
            title: "zebra again".into(),
            ..Incident::bare()
        };
        tx.insert_incident(&gone, "gone", None).unwrap();
    }
    store.refresh().unwrap();
    assert_eq!(found(&store, "zebra", &everyone), []);

    let other = declare(&mut store, "Payments slow", t("09:00"));
    let alert = firing("feed", "Queue backlog growing", t("09:00"), other);
    let alert_id = write(&mut store, t("09:10"), |w| {
        let tx = w.transaction();
        let mut i = tx.incident(kept)?.unwrap();
        i.title = "Checkout outage".into();
        tx.put_incident(&i, None)?;
        tx.put_retro(
            other,
            &Dated {
                value: Retro {
                    root_cause: Some("a full disk on the queue host".into()),
                    ..Retro::default()
                },
                created_at: t("09:10"),
                updated_at: t("09:10"),
            },
        )?;
        tx.put_alert(&alert, Put::Insert)
    });
    store.refresh().unwrap();
    // The old title is gone, the new one is found.
    assert_eq!(found(&store, "checkout outage", &everyone), [(kept, "title")]);
    assert_eq!(found(&store, "disk", &everyone), [(other, "retro.root_cause")]);
    assert_eq!(found(&store, "backlog", &everyone), [(other, "alert")]);
    let sev1 = ListFilter {
        severities: vec!["SEV1".into()],
        ..ListFilter::default()
    };
    assert_eq!(found(&store, "backlog", &sev1), []);
    let on_checkout = ListFilter {
        services: vec!["checkout".into()],
        ..ListFilter::default()
    };
    assert_eq!(found(&store, "backlog", &on_checkout), [(other, "alert")]);
    let elsewhere = ListFilter {
        services: vec!["search".into()],
        ..ListFilter::default()
    };
    assert_eq!(found(&store, "backlog", &elsewhere), []);
    // Detached, its text goes with it.
    write(&mut store, t("09:20"), |w| {
        let detached = Alert {
            id: alert_id,
            incident_id: None,
            ..alert.clone()
        };
        w.transaction().put_alert(&detached, Put::Update)
    });
    store.refresh().unwrap();
    assert_eq!(found(&store, "backlog", &everyone), []);
    // The limit counts incidents; the total counts them all.
    let query = incident::domain::search::Query::parse("a").unwrap();
    let one = ListFilter {
        limit: Some(1),
        ..ListFilter::default()
    };
    let hits = store.search(&query, &one).unwrap();
    assert_eq!((hits.hits.len(), hits.total), (1, 1));
}

/// A filter that selects few incidents is searched from their texts, and
/// one that selects many as an unfiltered search is: both find the same
/// matches a search of everything would keep, the oldest texts of the
/// chosen incidents included, even an alert's text that was indexed
/// before the incident it was moved to existed.
fn a_narrow_filter_finds_every_match_of_its_incidents(kind: Kind) {
    use incident::domain::search::FEW_INCIDENTS;
    let db = Db::new(kind);
    let mut store = db.open();
    let on = |service: &str| ListFilter {
        services: vec![service.into()],
        ..ListFilter::default()
    };
    let on_service = |title: &str, service: &str| Incident {
        title: title.into(),
        severity: "SEV2".into(),
        services: vec![service.into()],
        ..Incident::bare()
    };
    let payments = write(&mut store, t("07:00"), |w| {
        w.create(ops::declare(
            &on_service("Elevated errors", "payments"),
            Some("alice"),
            t("07:00"),
        ))
    });
    let first = declare(&mut store, "Queue host down", t("07:30"));
    let alert = firing("queue", "Elevated queue backlog", t("07:30"), first);
    let alert_id = write(&mut store, t("07:31"), |w| {
        w.transaction().put_alert(&alert, Put::Insert)
    });
    // More newer matches, on checkout, than the few a filter may select.
    let many = FEW_INCIDENTS + 1;
    write(&mut store, t("08:00"), |w| {
        for n in 0..many {
            let draft = on_service(&format!("Elevated latency {n}"), "checkout");
            w.create(ops::declare(&draft, Some("alice"), t("08:00")))?;
        }
        Ok(())
    });
    // The alert moves to a new incident on the search service.
    let search = write(&mut store, t("09:00"), |w| {
        let draft = on_service("Search is slow", "search");
        let id = w.create(ops::declare(&draft, Some("alice"), t("09:00")))?;
        let moved = Alert {
            id: alert_id,
            incident_id: Some(id),
            ..alert.clone()
        };
        w.transaction().put_alert(&moved, Put::Update)?;
        Ok(id)
    });
    store.refresh().unwrap();
    assert_eq!(found(&store, "elevated", &on("payments")), [(payments, "title")]);
    assert_eq!(found(&store, "elevated", &on("search")), [(search, "alert")]);
    assert_eq!(found(&store, "elevated", &on("billing")), []);
    // Many selected: the newest of theirs, as without a filter.
    let query = incident::domain::search::Query::parse("elevated").unwrap();
    let page = |filter: ListFilter| ListFilter {
        limit: Some(20),
        ..filter
    };
    let broad = store.search(&query, &page(on("checkout"))).unwrap();
    let everything = store.search(&query, &page(ListFilter::default())).unwrap();
    assert_eq!(broad.hits.len(), 20);
    assert!(
        broad
            .hits
            .iter()
            .all(|h| h.incident_id != payments && h.incident_id != search)
    );
    assert_eq!(
        broad.hits.iter().map(|h| h.incident_id).collect::<Vec<_>>(),
        everything
            .hits
            .iter()
            .map(|h| h.incident_id)
            .filter(|id| *id != payments && *id != search)
            .take(20)
            .collect::<Vec<_>>()
    );
}

/// A database one step before the index opens with everything in it
/// indexed: the step's backfill.
fn an_upgraded_database_is_searchable_at_once(kind: Kind) {
    let db = Db::new(kind);
    match kind {
        Kind::Sqlite => {
            let path = db.location.given().to_path_buf();
            let conn = rusqlite::Connection::open(&path).unwrap();
            let before = incident::store::sqlite::migrations::STEPS
                .iter()
                .position(|s| s.sql.contains("CREATE TABLE search_docs"))
                .unwrap() as i64;
            incident::store::sqlite::migrations::upgrade_to(&conn, 0, before).unwrap();
            conn.execute_batch(
                "INSERT INTO incidents (title, status, severity, category, declared_at, summary) \
                 VALUES ('Old lantern outage', 'resolved', 'SEV2', 'other', '2026-11-23T08:00:00Z', 'walrus'); \
                 INSERT INTO events (incident_id, at, recorded_at, author, kind, text) \
                 VALUES (1, '2026-11-23T08:05:00Z', '2026-11-23T08:05:00Z', 'alice', 'note', 'the narwhal returned'), \
                        (1, '2026-11-23T08:06:00Z', '2026-11-23T08:06:00Z', 'alice', 'severity_changed', 'SEV3 -> SEV2 platypus');",
            )
            .unwrap();
            conn.pragma_update(None, "user_version", before).unwrap();
        }
        Kind::Postgres => {
            let name = db.location.given().to_string_lossy().into_owned();
            let mut c = ::postgres::Client::connect(&name, ::postgres::NoTls).unwrap();
            let before = incident::store::pg::migrations::STEPS
                .iter()
                .position(|s| s.sql.contains("CREATE TABLE search_docs"))
                .unwrap() as i64;
            for step in &incident::store::pg::migrations::STEPS[..before as usize] {
                c.batch_execute(step.sql).unwrap();
                c.batch_execute(step.guards).unwrap();
            }
            c.batch_execute(&format!(
                "INSERT INTO incident_schema (one, version) VALUES (true, {before}) \
                 ON CONFLICT (one) DO UPDATE SET version = excluded.version; \
                 INSERT INTO incidents (id, uid, title, status, severity, category, declared_at, summary) \
                 VALUES (1, 'u1', 'Old lantern outage', 'resolved', 'SEV2', 'other', '2026-11-23T08:00:00Z', 'walrus');"
            ))
            .unwrap();
        }
    }
    let store = db.open();
    let everyone = ListFilter::default();
    assert_eq!(found(&store, "lantern", &everyone), [(1, "title")]);
    assert_eq!(found(&store, "walrus", &everyone), [(1, "summary")]);
    if let Kind::Sqlite = kind {
        assert_eq!(found(&store, "narwhal", &everyone), [(1, "timeline")]);
        // What the tool wrote, not a person, is not indexed.
        assert_eq!(found(&store, "platypus", &everyone), []);
    }
}

/// Raw SQL on the backend's database, as another program (or an older
/// release) would run it.
fn raw_sql(db: &Db, kind: Kind, sql: &str) {
    match kind {
        Kind::Sqlite => {
            let conn = rusqlite::Connection::open(db.location.given()).unwrap();
            // The store's connection may hold the lock a moment (a checkpoint).
            conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            conn.execute_batch(sql).unwrap();
        }
        Kind::Postgres => {
            let name = db.location.given().to_string_lossy().into_owned();
            let mut c = ::postgres::Client::connect(&name, ::postgres::NoTls).unwrap();
            c.batch_execute(sql).unwrap();
        }
    }
}

/// The number of the schema step whose SQL says `what`: the version a
/// database has just before it.
fn position<'a>(mut steps: impl Iterator<Item = &'a str>, what: &str) -> i64 {
    steps.position(|sql| sql.contains(what)).unwrap() as i64
}

/// How many incidents have a print stored.
fn stored_prints(db: &Db, kind: Kind) -> i64 {
    let sql = "SELECT count(*) FROM incidents WHERE likeness IS NOT NULL";
    match kind {
        Kind::Sqlite => {
            let conn = rusqlite::Connection::open(db.location.given()).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            conn.query_row(sql, [], |r| r.get(0)).unwrap()
        }
        Kind::Postgres => {
            let name = db.location.given().to_string_lossy().into_owned();
            let mut c = ::postgres::Client::connect(&name, ::postgres::NoTls).unwrap();
            c.query_one(sql, &[]).unwrap().get(0)
        }
    }
}

/// What similar incidents compares, as read, and as the incidents' own
/// texts make it.
fn likenesses(store: &Store) -> (Vec<Likeness>, Vec<Likeness>) {
    let mut read = Vec::new();
    store
        .each_likeness(&ListFilter::default(), &mut |l| {
            read.push(l.clone());
            Ok(())
        })
        .unwrap();
    let mut made = Vec::new();
    store
        .each_brief(&ListFilter::default(), &mut |b| {
            made.push(Likeness::of(&b));
            Ok(())
        })
        .unwrap();
    (read, made)
}

/// The words and services similar incidents compares are stored with
/// every write of an incident, filled in by the schema step that adds
/// them, and made again from the texts where missing or unreadable.
fn similar_incidents_compare_the_prints_stored_with_each_write(kind: Kind) {
    let db = Db::new(kind);
    let before = match kind {
        Kind::Sqlite => {
            let steps = incident::store::sqlite::migrations::STEPS;
            let before = position(steps.iter().map(|s| s.sql), "ADD COLUMN likeness");
            let conn = rusqlite::Connection::open(db.location.given()).unwrap();
            // In WAL mode from the start, as the store leaves it. A process
            // remembers which files it found in WAL mode, told apart by
            // inode and birth time; where a file system keeps no birth
            // time, a file of an earlier test that had this one's inode
            // would be taken for it.
            conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
                .unwrap();
            incident::store::sqlite::migrations::upgrade_to(&conn, 0, before).unwrap();
            conn.pragma_update(None, "user_version", before).unwrap();
            before
        }
        Kind::Postgres => {
            let steps = incident::store::pg::migrations::STEPS;
            let before = position(steps.iter().map(|s| s.sql), "ADD COLUMN likeness");
            let name = db.location.given().to_string_lossy().into_owned();
            let mut c = ::postgres::Client::connect(&name, ::postgres::NoTls).unwrap();
            for step in &steps[..before as usize] {
                c.batch_execute(step.sql).unwrap();
                c.batch_execute(step.guards).unwrap();
            }
            c.batch_execute(&format!(
                "INSERT INTO incident_schema (one, version) VALUES (true, {before}) \
                 ON CONFLICT (one) DO UPDATE SET version = excluded.version"
            ))
            .unwrap();
            before
        }
    };
    assert!(before > 0);
    raw_sql(
        &db,
        kind,
        "INSERT INTO incidents (id, uid, title, status, severity, category, declared_at, summary, services) VALUES \
         (1, 'u1', 'Checkout returns 500s', 'resolved', 'SEV2', 'other', '2026-11-23T08:00:00Z', 'rolled back', '[\"checkout\"]'), \
         (2, 'u2', 'The database failover', 'closed', 'SEV1', 'other', '2026-11-23T09:00:00Z', NULL, '[]')",
    );
    // The upgrade fills in every print.
    let mut store = db.open();
    assert_eq!(stored_prints(&db, kind), 2);
    let (read, made) = likenesses(&store);
    assert_eq!(read, made);
    assert_eq!(read.iter().map(|l| l.id).collect::<Vec<_>>(), [1, 2]);

    // Each write stores the print of what it wrote.
    let id = declare(&mut store, "Checkout is failing", t("10:00"));
    store.refresh().unwrap();
    assert_eq!(stored_prints(&db, kind), 3);
    let (read, made) = likenesses(&store);
    assert_eq!(read, made);
    let declared = read[2].print.clone();
    let mut changed = store.incident(id).unwrap().unwrap();
    changed.title = "Payments are failing".into();
    changed.summary = Some("card declines".into());
    changed.services = vec!["payments".into(), "api".into()];
    write(&mut store, t("10:05"), |w| {
        w.transaction().put_incident(&changed, None)
    });
    store.refresh().unwrap();
    let (read, made) = likenesses(&store);
    assert_eq!(read, made);
    assert_eq!(read[2], Likeness::of(&Brief::of(&changed)));
    assert_ne!(read[2].print, declared);

    // What is stored is what is read: incident 1 given incident 3's print
    // (as an older release still running would leave it, changing the
    // texts and not the print) reads as 3's.
    raw_sql(
        &db,
        kind,
        "UPDATE incidents SET likeness = (SELECT likeness FROM incidents WHERE id = 3) WHERE id = 1",
    );
    store.refresh().unwrap();
    let (read, made) = likenesses(&store);
    assert_eq!(read[0].print, made[2].print);
    assert_ne!(read[0].print, made[0].print);
    // And "Seen before" checks what it keeps against the texts: incident 1
    // matches a payments incident by that print, and is dropped; 3 stays,
    // with its service and words named.
    let again = declare(&mut store, "Payments failing again", t("11:00"));
    store.refresh().unwrap();
    let mut payments = store.incident(again).unwrap().unwrap();
    payments.services = vec!["payments".into()];
    write(&mut store, t("11:01"), |w| {
        w.transaction().put_incident(&payments, None)
    });
    store.refresh().unwrap();
    let related = incident::store::similar::read(
        &*store,
        &payments,
        incident::store::similar::Scope::Recent,
        Some(3),
    )
    .unwrap();
    assert_eq!(related.iter().map(|r| r.incident.id).collect::<Vec<_>>(), [3]);
    assert_eq!(
        related[0].matched.reasons,
        [
            Reason::SameService {
                services: vec!["payments".into()]
            },
            Reason::SharedWords {
                words: vec!["fail".into(), "payment".into()],
                score: related[0].matched.score
            }
        ]
    );

    // A print missing, or stored by another version, is made from the texts.
    raw_sql(
        &db,
        kind,
        match kind {
            Kind::Sqlite => {
                "UPDATE incidents SET likeness = NULL WHERE id = 1; \
                             UPDATE incidents SET likeness = x'07' WHERE id = 2"
            }
            Kind::Postgres => {
                "UPDATE incidents SET likeness = NULL WHERE id = 1; \
                               UPDATE incidents SET likeness = '\\x07' WHERE id = 2"
            }
        },
    );
    store.refresh().unwrap();
    let (read, made) = likenesses(&store);
    assert_eq!(read, made);
    assert_eq!(read.len(), 4);
}

/// A store opened before a newer release upgraded the database (a `serve`
/// left running across an upgrade) writes nothing more, and says why and
/// what to do: its rows would lack what the newer schema keeps. A write
/// that need not happen (`Wait::No`) is skipped.
fn a_store_open_across_a_newer_upgrade_writes_nothing(kind: Kind) {
    let db = Db::new(kind);
    let mut store = db.open();
    declare(&mut store, "Before the upgrade", t("08:00"));
    let latest = match kind {
        Kind::Sqlite => incident::store::sqlite::migrations::LATEST,
        Kind::Postgres => incident::store::pg::migrations::LATEST,
    };
    let set_version = |version: i64| match kind {
        Kind::Sqlite => format!("PRAGMA user_version = {version}"),
        Kind::Postgres => format!("UPDATE incident_schema SET version = {version}"),
    };
    raw_sql(&db, kind, &set_version(latest + 1));
    let draft = Incident {
        title: "After the upgrade".into(),
        severity: "SEV2".into(),
        ..Incident::bare()
    };
    let Err(refused) = store.write(
        "alice",
        || Ok(t("08:05")),
        |w| w.create(ops::declare(&draft, Some("alice"), t("08:05"))),
    ) else {
        panic!("a store opened before the upgrade wrote to the upgraded database");
    };
    let message = format!("{refused:#}");
    assert!(
        message.contains(&format!("upgraded to schema version {}", latest + 1))
            && message.contains(&format!("schema {latest}"))
            && message.contains("nothing was written")
            && message.contains("restart"),
        "{message}"
    );
    assert!(store.backend().begin(Wait::No).unwrap().is_none());
    // The store goes on reading; and nothing was written.
    assert_eq!(store.count(&ListFilter::default()).unwrap(), 1);
    drop(store);
    raw_sql(&db, kind, &set_version(latest));
    let mut store = db.open();
    assert_eq!(store.count(&ListFilter::default()).unwrap(), 1);
    declare(
        &mut store,
        "Restarted on the release that knows the schema",
        t("08:10"),
    );
    assert_eq!(store.count(&ListFilter::default()).unwrap(), 2);
}
