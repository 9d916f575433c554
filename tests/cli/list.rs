use crate::support::*;
use serde_json::Value;
use std::io::Read;
use std::process::Stdio;

fn keys(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_string())
        .collect()
}

/// INC-1 SEV3 open, INC-2 SEV1 resolved, INC-3 SEV2 open, INC-4 SEV1 open (newest).
fn four_incidents() -> Env {
    let mut env = Env::new();
    env.declare("Search slow", &["-s", "SEV3", "--service", "search"]);
    env.at("2026-11-23T08:10:00Z");
    env.declare("DB failover", &["-s", "SEV1"]);
    env.ok(&["resolve", "2"]);
    env.at("2026-11-23T08:20:00Z");
    env.declare(
        "Checkout 500s",
        &["-s", "SEV2", "--commander", "carol", "--service", "checkout"],
    );
    env.at("2026-11-23T08:30:00Z");
    env.declare("Login down", &["-s", "SEV1"]);
    env
}

#[test]
fn open_incidents_most_severe_first_then_oldest() {
    let env = four_incidents();
    assert_eq!(keys(&env.json(&["list"])), ["INC-4", "INC-3", "INC-1"]);
    assert_eq!(
        keys(&env.json(&["list", "--all"])),
        ["INC-2", "INC-4", "INC-3", "INC-1"]
    );
    assert_eq!(keys(&env.json(&["list", "--status", "resolved"])), ["INC-2"]);
    assert_eq!(
        keys(&env.json(&["list", "--status", "investigating,resolved"])),
        ["INC-2", "INC-4", "INC-3", "INC-1"]
    );
    assert_eq!(
        keys(&env.json(&["list", "--all", "--severity", "sev1"])),
        ["INC-2", "INC-4"]
    );
    assert_eq!(
        keys(&env.json(&["list", "--severity", "SEV2,sev1"])),
        ["INC-4", "INC-3"],
        "several levels, most severe first whatever the order given"
    );
    assert_eq!(
        keys(&env.json(&["list", "--all", "--severity", "SEV3", "--severity", "SEV1"])),
        ["INC-2", "INC-4", "INC-1"]
    );
    assert_eq!(
        keys(&env.json(&["list", "--since", "2026-11-23 08:15"])),
        ["INC-4", "INC-3"]
    );
    assert_eq!(
        keys(&env.json(&["list", "--all", "--since", "25m"])),
        ["INC-2", "INC-4", "INC-3"]
    );
}

#[test]
fn list_json_objects_have_the_incident_shape_without_a_timeline() {
    let env = four_incidents();
    let list = env.json(&["list"]);
    let checkout = &list[1];
    assert_eq!(checkout["key"], "INC-3");
    assert_eq!(checkout["commander"], "carol");
    assert_eq!(checkout["roles"][0]["person"], "carol");
    assert_eq!(checkout["services"][0], "checkout");
    assert!(checkout.get("timeline").is_none());
    assert_eq!(env.json(&["list", "--status", "closed"]), serde_json::json!([]));
}

#[test]
fn the_human_list_is_a_table() {
    let mut env = four_incidents();
    env.at("2026-11-23T09:00:00Z");
    snapshot!(env.ok(&["list"]), @r"
    KEY    SEV   STATUS         TITLE          COMMANDER  SERVICES  DECLARED          AGE
    INC-4  SEV1  investigating  Login down     -                    2026-11-23 08:30  30m
    INC-3  SEV2  investigating  Checkout 500s  carol      checkout  2026-11-23 08:20  40m
    INC-1  SEV3  investigating  Search slow    -          search    2026-11-23 08:00  1h00m
    ");
}

/// Into a pipe, a table longer than one piece (1,024 rows) is printed as
/// it is read, and still as one table: one header, every row in the order
/// `--json` gives, every column starting where the header's does.
#[test]
fn a_table_of_many_pieces_into_a_pipe_is_one_table() {
    let env = Env::new();
    env.seed(2100, 2100, 2100);
    let json = keys(&env.json(&["list", "--all", "--limit", "0"]));
    // One piece (printed as measured), exactly one, two, and three.
    for (limit, rows) in [("20", 20), ("1024", 1024), ("1025", 1025), ("0", 2100)] {
        let out = env.ok(&["list", "--all", "--limit", limit]);
        let mut lines = out.lines();
        let header = lines.next().unwrap();
        let starts: Vec<usize> = [
            "SEV",
            "STATUS",
            "TITLE",
            "COMMANDER",
            "SERVICES",
            "DECLARED",
            "AGE",
        ]
        .iter()
        .map(|name| header.find(&format!("  {name}")).unwrap() + 2)
        .collect();
        let rows_printed: Vec<&str> = lines.take_while(|l| !l.starts_with('…')).collect();
        assert_eq!(rows_printed.len(), rows, "--limit {limit}");
        for (line, key) in rows_printed.iter().zip(&json) {
            assert!(line.starts_with(&format!("{key} ")), "{line} is not {key}");
            for &at in &starts {
                let bytes = line.as_bytes();
                assert!(
                    bytes.get(at - 1) == Some(&b' ') && bytes.get(at).is_some_and(|b| *b != b' '),
                    "--limit {limit}: a column of {line:?} does not start at {at}, under the header's"
                );
            }
        }
    }
}

#[test]
fn at_most_limit_rows_with_a_footer_counting_the_rest() {
    let env = four_incidents();
    let out = env.ok(&["list", "--all", "--limit", "2"]);
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.ends_with("… and 2 more; --limit 0 shows all 4\n"), "{out}");
    assert_eq!(env.ok(&["list", "--all", "--limit", "0"]).lines().count(), 5);
    assert_eq!(keys(&env.json(&["list", "--all", "--limit", "1"])), ["INC-2"]);
}

#[test]
fn an_empty_list_says_so_on_stderr() {
    let env = Env::new();
    let out = env.cmd().arg("list").output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("No open incidents"));
    // A file is not created by reading; a PostgreSQL database exists
    // already, and its schema is made on first use, reading or not.
    if !env.on_postgres() {
        assert!(!env.created(), "reading does not create the database");
    }
}

#[test]
fn a_closed_pipe_is_a_clean_exit() {
    let env = four_incidents();
    let mut child = env
        .std_cmd()
        .args(["list", "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader went away, like `| head -0`
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "{status:?} {stderr}");
    assert_eq!(stderr, "");
}

/// The table on a real terminal of a given width (a pseudo-terminal sized
/// with `stty`): what a person sees, not what a pipe gets.
fn list_on_terminal(env: &Env, columns: u16) -> String {
    let incident = env.std_cmd();
    let mut cmd = std::process::Command::new("sh");
    cmd.env_clear()
        .envs(incident.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "dumb")
        .env("NO_COLOR", "1")
        .arg("-c")
        .arg(format!("stty cols {columns} rows 50 && exec \"$0\" list"))
        .arg(incident.get_program());
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).unwrap();
    let out = p.exp_eof().unwrap();
    out.replace("\r\n", "\n")
}

#[test]
fn a_narrow_terminal_keeps_codes_whole_wraps_the_title_and_drops_services_and_date() {
    let env = four_incidents();
    env.declare(
        "Payments to the card processor time out for every customer in the EU region",
        &["-s", "SEV2", "--service", "payments,card-gateway"],
    );

    let wide = list_on_terminal(&env, 200);
    assert!(wide.contains("SERVICES") && wide.contains("DECLARED"), "{wide}");
    assert!(wide.contains("every customer in the EU region"), "{wide}");

    let narrow = list_on_terminal(&env, 84);
    let header = narrow.lines().find(|l| l.starts_with("KEY")).expect(&narrow);
    for column in ["SEV", "STATUS", "TITLE", "COMMANDER", "AGE"] {
        assert!(header.contains(column), "{narrow}");
    }
    assert!(
        !narrow.contains("SERVICES") && !narrow.contains("DECLARED"),
        "{narrow}"
    );
    assert!(narrow.lines().all(|l| l.chars().count() <= 84), "{narrow}");
    // Codes stay whole on the row; the long title goes on over more lines,
    // in its column, and loses no word.
    let row = narrow
        .lines()
        .position(|l| l.starts_with("INC-5"))
        .expect(&narrow);
    let first = narrow.lines().nth(row).unwrap();
    assert!(
        first.starts_with("INC-5  SEV2  investigating  Payments"),
        "{narrow}"
    );
    let (from, to) = (header.find("TITLE").unwrap(), header.find("COMMANDER").unwrap());
    let title_lines: Vec<&str> = narrow
        .lines()
        .skip(row)
        .take_while(|l| l.starts_with("INC-5") || l.starts_with(' '))
        .map(|l| l.get(from..to.min(l.len())).unwrap_or("").trim())
        .collect();
    assert!(title_lines.len() > 1, "the title wraps: {narrow}");
    assert_eq!(
        title_lines.join(" "),
        "Payments to the card processor time out for every customer in the EU region"
    );
}
