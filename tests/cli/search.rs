//! `incident search`: the index through the real binary, on both backends.

use crate::alerts::fixture;
use crate::support::*;
use serde_json::Value;

/// The keys of `search --json`, in order.
fn keys(found: &Value) -> Vec<String> {
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["key"].as_str().unwrap().to_string())
        .collect()
}

fn search(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["search"];
    all.extend(args);
    env.json(&all)
}

/// The one hit for `query`: (key, where).
fn where_(env: &Env, query: &str) -> Vec<(String, String)> {
    search(env, &[query])
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["key"].as_str().unwrap().to_string(),
                h["where"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(key: &str, place: &str) -> Vec<(String, String)> {
    vec![(key.to_string(), place.to_string())]
}

#[test]
fn every_place_text_lives_is_searchable() {
    let mut env = Env::new();
    env.declare(
        "Checkout returns 500s",
        &[
            "-s",
            "SEV2",
            "--summary",
            "Card payments fail for a quarter of users",
        ],
    );
    env.at("2026-11-23T08:10:00Z");
    env.ok(&["update", "1", "Rolled back deploy 4821 on the gateway"]);
    env.ok(&[
        "assess",
        "1",
        "--impact",
        "Shoppers abandon baskets",
        "--sees",
        "HTTP 500 on the pay button",
        "--customers",
        "some",
        "--started-at",
        "07:50",
        "--tickets",
        "3",
        "--yes",
    ]);
    // A real webhook body, attached by hand.
    env.ok(&["ingest", &fixture("alertmanager-firing.json")]);
    env.ok(&["update", "1", "--attach-alert", "1"]);
    env.at("2026-11-23T09:00:00Z");
    env.ok(&["resolve", "1", "--summary", "Unlocked the orders table"]);
    env.at("2026-11-24T14:00:00Z");
    let answers = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/retro-answers.toml");
    env.ok(&["retro", "1", "--answers", answers.to_str().unwrap()]);
    env.ok(&[
        "action",
        "add",
        "1",
        "Page the storage team on lock waits",
        "--owner",
        "erin",
        "--due",
        "2026-12-20",
        "--kind",
        "preventive",
    ]);

    assert_eq!(where_(&env, "checkout 500s"), pair("INC-1", "title"));
    assert_eq!(where_(&env, "quarter"), pair("INC-1", "summary"));
    assert_eq!(where_(&env, "gateway"), pair("INC-1", "timeline"));
    assert_eq!(where_(&env, "baskets"), pair("INC-1", "assessment"));
    assert_eq!(where_(&env, "\"error rate\""), pair("INC-1", "alert"));
    assert_eq!(where_(&env, "orders table"), pair("INC-1", "resolution"));
    assert_eq!(
        where_(&env, "unreviewed unscheduled"),
        pair("INC-1", "retro.root_cause")
    );
    assert_eq!(where_(&env, "storage team"), pair("INC-1", "action"));
    // Any case; a word split by punctuation is a phrase of its parts.
    assert_eq!(where_(&env, "GATEWAY"), pair("INC-1", "timeline"));
    assert_eq!(where_(&env, "checkout-1"), pair("INC-1", "alert"));
    // A phrase needs its words in a row; words alone, anywhere in one text.
    assert_eq!(search(&env, &["\"deploy gateway\""]), serde_json::json!([]));
    assert_eq!(where_(&env, "deploy gateway"), pair("INC-1", "timeline"));
    // Every word in one piece of text.
    assert_eq!(search(&env, &["gateway baskets"]), serde_json::json!([]));
}

#[test]
fn a_hit_has_its_snippet_marks_and_further_matches() {
    let env = Env::new();
    env.declare("Disk full on db-3", &["-s", "SEV2"]);
    env.ok(&[
        "update",
        "1",
        "The volume filled up again; disk alerts were muted",
    ]);
    let found = search(&env, &["disk"]);
    let hit = &found[0];
    assert_eq!(hit["key"], "INC-1");
    assert_eq!(hit["where"], "title");
    assert_eq!(hit["snippet"], "Disk full on db-3");
    assert_eq!(hit["marks"], serde_json::json!([[0, 4]]));
    assert_eq!(hit["matches"], 2);
    for field in ["id", "title", "status", "severity", "declared_at", "drill", "of"] {
        assert!(hit.get(field).is_some(), "{field} in {hit}");
    }
    // A person's view: the incident, where, the snippet, how many more.
    let out = env.ok(&["search", "disk"]);
    assert_eq!(
        out,
        "INC-1  SEV2  investigating  Disk full on db-3\n  title: Disk full on db-3  (+1 more match)\n"
    );
    let out = env.ok(&["search", "muted"]);
    assert!(
        out.contains("  timeline entry: The volume filled up again; disk alerts were muted\n"),
        "{out}"
    );
    // Nothing found: said on stderr, success, an empty array for scripts.
    let talk = env.talk(&["search", "zebra"]);
    assert!(talk.contains("No incidents match."), "{talk}");
    assert_eq!(env.ok(&["search", "zebra"]), "");
    assert_eq!(search(&env, &["zebra"]), serde_json::json!([]));
    // On a narrow terminal every line fits.
    let (shown, _) = env.on_terminal(30, &["search", "disk"]);
    for line in shown.lines() {
        assert!(line.chars().count() <= 30, "{line:?} in\n{shown}");
    }
    assert!(shown.contains("INC-1"), "{shown}");
}

#[test]
fn the_title_outranks_one_mention_in_a_timeline() {
    let mut env = Env::new();
    env.declare("Checkout slow", &["-s", "SEV3"]);
    env.ok(&[
        "update",
        "1",
        "We suspected the database failover at first, then found a slow cache and a \
        misconfigured pool on two of the hosts behind the checkout service",
    ]);
    env.at("2026-11-23T08:10:00Z");
    env.declare("Database failover stalled", &["-s", "SEV2"]);
    env.at("2026-11-23T08:20:00Z");
    env.declare("Search slow", &["-s", "SEV3"]);
    // The title first, whichever is newer or older.
    assert_eq!(keys(&search(&env, &["database failover"])), ["INC-2", "INC-1"]);
    assert_eq!(keys(&search(&env, &["failover"])), ["INC-2", "INC-1"]);
}

#[test]
fn filters_narrow_and_the_limit_says_how_many_more() {
    let mut env = Env::new();
    env.declare(
        "Queue backlog on checkout",
        &["-s", "SEV1", "--service", "checkout", "--tag", "team=pay"],
    );
    env.at("2026-11-23T09:00:00Z");
    env.declare("Queue backlog on search", &["-s", "SEV3", "--service", "search"]);
    env.ok(&["resolve", "2"]);
    env.at("2026-11-23T10:00:00Z");
    // A likely repeat of INC-1 (a shared service, a similar title): declared
    // anyway, as a person would with --force.
    env.declare(
        "Queue backlog on login",
        &["-s", "SEV2", "--service", "login,checkout", "--force"],
    );
    let all = keys(&search(&env, &["backlog"]));
    assert_eq!(all.len(), 3, "every status by default: {all:?}");
    let mut on_checkout = keys(&search(&env, &["backlog", "--service", "checkout"]));
    on_checkout.sort();
    assert_eq!(on_checkout, ["INC-1", "INC-3"]);
    assert_eq!(keys(&search(&env, &["backlog", "--severity", "sev3"])), ["INC-2"]);
    assert_eq!(
        keys(&search(&env, &["backlog", "--status", "resolved"])),
        ["INC-2"]
    );
    assert_eq!(
        keys(&search(&env, &["backlog", "--since", "2026-11-23 09:30"])),
        ["INC-3"]
    );
    assert_eq!(keys(&search(&env, &["backlog", "--tag", "team=pay"])), ["INC-1"]);
    assert_eq!(
        search(&env, &["backlog", "--limit", "1"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let out = env.ok(&["search", "backlog", "-n", "2"]);
    assert!(out.ends_with("… and 1 more; --limit 0 shows all 3\n"), "{out}");
    assert_eq!(
        search(&env, &["backlog", "--limit", "0"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
    env.fails(2, &["search", "backlog", "--severity", "SEV9"]);
    env.fails(2, &["search", "backlog", "--status", "exploded"]);
}

#[test]
fn hostile_queries_are_words_or_a_clear_usage_error() {
    let env = Env::new();
    env.declare("Title with NEAR and OR in it", &[]);
    for query in [
        "NEAR(title with)",
        "title:with",
        "title : with",
        "with*",
        "-with",
        "with -near",
        "with OR near",
        "\"with",
        "with\"\"\"near\"",
        "'with'",
        "with & !near | (or) <-> it:*",
        "{title}: with",
        "^with",
        "with\u{7}near\u{7f}",
        "with\u{1b}[31m",
        "\\with\\",
        "with'; DROP TABLE incidents; --",
    ] {
        let out = env.outcome(&["search", "--json", "--", query]);
        assert!(out.contains("exit code: 0\n"), "{query:?}: {out}");
        for word in ["fts5", "syntax", "tsquery", "SQL", "database"] {
            assert!(!out.contains(word), "{query:?}: {out}");
        }
    }
    // The operators are plain words: `title:with` is the phrase "title with".
    assert_eq!(keys(&search(&env, &["title:with"])), ["INC-1"]);
    assert_eq!(keys(&search(&env, &["near", "OR"])), ["INC-1"]);
    for nothing in ["*", "\"\"", "-- ' ; : ( ) \u{1}", "<->&|!"] {
        let err = env.fails(2, &["search", "--", nothing]);
        assert!(err.contains("no words to look for"), "{nothing:?}: {err}");
    }
    // A pasted file: refused (too many words) or searched, never a database error.
    let many = (0..20_000).map(|n| format!("w{n} ")).collect::<String>();
    let err = env.fails(2, &["search", &many]);
    assert!(err.contains("at most 32"), "{err}");
    let long = "x".repeat(100_000);
    assert_eq!(search(&env, &[&long]), serde_json::json!([]));
}

#[test]
fn an_edited_title_is_found_by_its_new_words_only() {
    let env = Env::new();
    env.declare("Payments flaky", &[]);
    env.ok(&["edit", "1", "--title", "Card processor outage"]);
    assert_eq!(search(&env, &["flaky"]), serde_json::json!([]));
    assert_eq!(where_(&env, "processor"), pair("INC-1", "title"));
}

#[test]
fn what_is_imported_is_searchable() {
    let a = crate::transfer::rich();
    let file = a.dir.path().join("backup.json");
    a.ok(&["export", "-o", file.to_str().unwrap()]);
    let b = Env::new();
    b.declare("Their own first incident", &[]);
    b.talk(&["import", file.to_str().unwrap()]);
    assert_eq!(where_(&b, "payments 500s"), pair("INC-2", "title"));
    assert_eq!(keys(&search(&b, &["\"error rate\""])), ["INC-2"]);
    assert_eq!(search(&b, &["\"error rate\""])[0]["where"], "alert");
}

#[test]
fn a_broad_query_ranks_its_newest_matches_and_says_what_it_left() {
    let env = Env::new();
    // 2,000 incidents with "Elevated" in their titles, all alike
    // ("Elevated 5xx on checkout after deploy 4000"), INC-2000 the newest:
    // more matching texts than a page ranks (1,000).
    env.seed(2_000, 24_000, 0);
    // The best match of all, and a weak one, both newer.
    env.declare("Elevated errors", &["-s", "SEV2"]);
    env.declare("Checkout slow", &["-s", "SEV3"]);
    env.ok(&[
        "update",
        "INC-2002",
        "Latency was elevated for a while on two of the hosts behind the load balancer in \
         the second region, then settled without anyone touching anything at all",
    ]);
    let page = keys(&search(&env, &["elevated"]));
    // The short title first, then the equal titles newest first; the long
    // entry that mentions it once is ranked below the page.
    assert_eq!(page.len(), 20);
    assert_eq!(page[..4], ["INC-2001", "INC-2000", "INC-1999", "INC-1998"]);
    assert!(!page.contains(&"INC-2002".to_string()), "{page:?}");
    // Only the newest 1,000 matching texts were ranked (INC-2002's entry,
    // INC-2001's title, and the titles of INC-2000 back to INC-1003), and
    // that is what the page says, with how to reach the rest.
    let out = env.ok(&["search", "elevated"]);
    let footer = "… and more: only the newest 1,000 matching texts were ranked, from 1,000 incidents; \
                  narrow the search (more words, --service, --since) or rank every match with --limit 0\n";
    assert!(out.ends_with(footer), "{out}");
    assert!(
        out.starts_with("INC-2001  SEV2  investigating  Elevated errors\n"),
        "{out}"
    );
    // A script gets the same array shape, and the note on stderr.
    let talk = env.talk(&["search", "elevated", "--json"]);
    assert!(
        talk.contains("only the newest 1,000 matching texts were ranked"),
        "{talk}"
    );
    // --limit 0 ranks every match: all 2,002 incidents, the same best first
    // and the oldest last.
    let all = keys(&search(&env, &["elevated", "--limit", "0"]));
    assert_eq!(all.len(), 2_002);
    assert_eq!(all[..3], ["INC-2001", "INC-2000", "INC-1999"]);
    assert_eq!(all[2_000..], ["INC-1", "INC-2002"]);
    // An old incident (older than the newest 20,000 texts PostgreSQL looks
    // through first) is reached by narrowing: a selective query is ranked
    // whole and says nothing more.
    assert_eq!(keys(&search(&env, &["elevated", "4000"])), ["INC-1"]);
    let out = env.ok(&["search", "elevated", "deploy", "4000"]);
    assert!(!out.contains("more"), "{out}");
    assert!(
        !env.talk(&["search", "elevated", "4000", "--json"])
            .contains("ranked")
    );
}
