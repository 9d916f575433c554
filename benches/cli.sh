#!/usr/bin/env bash
# The benchmark suite: times the release binary with hyperfine against its
# floors (benches/floor/, built with the product's rusqlite and profile: one
# that inserts one event in an IMMEDIATE transaction into a copy of the data
# set, WAL with synchronous=FULL, one that reads 20 events of one incident,
# and an empty program), on data sets it builds itself
# through the `bench-seed` example (examples/bench-seed/), and taskwarrior at 10,000 tasks as the peer.
#
#   bash benches/cli.sh            # the full run (about 15 minutes on 2 cores)
#   bash benches/cli.sh --quick    # fewer runs, no taskwarrior (about 3 minutes)
#
# Every ratio is to its floor timed interleaved with the case (see bench()).
# Results: a table on stdout, and the same rows as TSV in $OUT (default
# target/bench/results.tsv). Needs hyperfine, sqlite3 (to reset the stats cache) and /usr/bin/time (and
# taskwarrior for the peer); on Debian/Ubuntu as root it installs them.
set -euo pipefail

QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/bench/results.tsv}
mkdir -p "$(dirname "$OUT")"

source "$ROOT/benches/lib.sh"
PEER=1
if [[ $QUICK == 1 ]]; then PEER=0; else need task taskwarrior || PEER=0; fi

echo "seeding: 1k, 10k and 100k incidents (10 events each); one with 10,000 events …" >&2
seed "$W/1k.db" 1000 10000
seed "$W/10k.db" 10000 100000
seed "$W/100k.db" 100000 1000000
seed "$W/100k.db" 1 10000 --open 0 --resolved 0 # INC-100001, closed
LONG=100001
OPEN=99990 # one of the 20 open incidents of the 100k set

# Seeding leaves half a gigabyte of dirty pages; left to the kernel's
# background writeback they would slow the fsyncs of whichever case runs
# next (declare at 100k ran 15 % slower than on the empty database).
sync

echo >&2
printf '%-44s %12s  %7s\n' "case" "median" "ratio to floor"
floor "floor: empty program" "$FLOOR_EMPTY"
# The write floors: a note on incident 1 of a copy of each set (so the sets
# stay as seeded), paying what every write to that database pays (SQLite
# parsing its schema, the events table's indexes). The floor of the first
# rounds, a two-object file of the floor's own, is timed for comparison.
# The copy of the 100k set takes as much disk as the set (about 0.7 GB) in
# $W until the stats cases below are done with it.
floor "floor: write (own file)" "$FLOOR_WRITE" "$W/floor.db"
for size in 1k 100k; do
    sqlite3 "$W/$size.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    cp "$W/$size.db" "$W/$size-floor.db"
done
sync
floor "floor: write (1k)" "$FLOOR_WRITE" "$W/1k-floor.db" 1
floor "floor: write (100k)" "$FLOOR_WRITE" "$W/100k-floor.db" 1
EMPTY="floor: empty program"

bench "incident --version" "$EMPTY" "$FAST" -- "$BIN" --version

# The read floors: 20 events of an open incident of each set.
floor "floor: read (1k)" "$FLOOR_READ" "$W/1k.db" 995
floor "floor: read (10k)" "$FLOOR_READ" "$W/10k.db" 9995
floor "floor: read (100k)" "$FLOOR_READ" "$W/100k.db" "$OPEN"

for size in 1k 100k; do
    key=$([[ $size == 1k ]] && echo 995 || echo $OPEN)
    export INCIDENT_DB=$W/$size.db
    READ="floor: read ($size)"
    INS="floor: write ($size)"
    bench "declare ($size)" "$INS" "$FAST" -- "$BIN" -q declare "Checkout returns 500s" --severity SEV2 --service checkout --force
    bench "update ($size)" "$INS" "$FAST" -- "$BIN" -q update "$key" "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"
    bench "assign-role ($size)" "$INS" "$FAST" --prepare "$BIN -q assign-role $key scribe carol" -- "$BIN" -q assign-role "$key" scribe bob
    bench "escalate ($size)" "$INS" "$FAST" --prepare "$BIN -q update $key --severity SEV3" -- "$BIN" -q escalate "$key" -s SEV1 --to dba-oncall -r "all regions now"
    bench "edit ($size)" "$INS" "$FAST" --prepare "$BIN -q edit $key --title Before" -- "$BIN" -q edit "$key" --title "Checkout and cart return 500s"
    bench "resolve ($size)" "$INS" "$FAST" --prepare "$BIN -q update $key --status investigating" -- "$BIN" -q resolve "$key" --summary "Rolled back"
    bench "show ($size)" "$READ" "$FAST" -- "$BIN" show "$key"
    bench "list ($size)" "$READ" "$FAST" -- "$BIN" list
    bench "check ($size)" "$READ" "$FAST" -i -- "$BIN" check
    bench "topic ($size)" "$READ" "$FAST" -- "$BIN" topic "$key"
    bench "comms ($size)" "$READ" "$FAST" -- "$BIN" comms "$key" --draft
done

for size in 1k 10k 100k; do
    export INCIDENT_DB=$W/$size.db
    runs=$([[ $size == 100k ]] && echo "$SLOW" || echo "$FAST")
    bench "list --all --json --limit 0 ($size)" "floor: read ($size)" "$runs" -- "$BIN" list --all --json --limit 0
done
export INCIDENT_DB=$W/100k.db
READ="floor: read (100k)"
INS="floor: write (100k)"
peak "peak: list --all --json --limit 0 (100k)" "$BIN" list --all --json --limit 0
peak "peak: list --all --limit 0 (100k)" "$BIN" list --all --limit 0
INCIDENT_DB=$W/1k.db peak "peak: list --all --limit 0 (1k)" "$BIN" list --all --limit 0
peak "peak: export (100k)" "$BIN" export
INCIDENT_DB=$W/1k.db peak "peak: export (1k)" "$BIN" export
bench "show, 10,000 events (100k)" "$READ" "$FAST" -- "$BIN" show "$LONG"
bench "show --json, 10,000 events (100k)" "$READ" "$FAST" -- "$BIN" show "$LONG" --json
# Issue 18: rendering on a terminal is linear in the text's length. A 1 MiB
# unbroken entry and a 131,000-character title (the longest single argument
# Linux passes), shown on a pseudo-terminal 30 and 80 columns wide; the
# floor is the same pseudo-terminal running `true`. Each must stay under 1 s.
INCIDENT_DB=$W/blob.db "$BIN" -q declare "Blob pasted into a note" >/dev/null
python3 -c 'print("QUJD" * (1 << 18))' | INCIDENT_DB=$W/blob.db "$BIN" -q update 1 -
INCIDENT_DB=$W/blob.db "$BIN" -q declare "$(python3 -c 'print("T" * 131000)')" >/dev/null
on_pty() { # on_pty COLUMNS COMMAND: the command line `script` runs on a pty that wide
    printf 'stty cols %s rows 50 && INCIDENT_DB=%q exec %s' "$1" "$W/blob.db" "$2"
}
floor "floor: a pseudo-terminal (script, true)" script -qec "$(on_pty 80 true)" /dev/null
PTY="floor: a pseudo-terminal (script, true)"
for cols in 30 80; do
    bench "show, 1 MiB unbroken entry ($cols columns, pty)" "$PTY" "$SLOW" -- \
        script -qec "$(on_pty "$cols" "$(printf %q "$BIN") show 1")" /dev/null
    bench "list, 131,000-character title ($cols columns, pty)" "$PTY" "$SLOW" -- \
        script -qec "$(on_pty "$cols" "$(printf %q "$BIN") list")" /dev/null
done
# Off a terminal nothing is cut: an entry of 330 kB of words on one line,
# shown into a pipe. comfy-table breaks a line wider than its 16-bit widths
# itself, in time quadratic in the line (10 s for this one); the table is
# now given lines it can hold (src/output.rs).
INCIDENT_DB=$W/words.db "$BIN" -q declare "A log pasted on one line" >/dev/null
python3 -c 'print("many words " * 30000)' | INCIDENT_DB=$W/words.db "$BIN" -q update 1 -
bench "show, 330 kB line of words (pipe)" "$READ" "$SLOW" -- env INCIDENT_DB="$W/words.db" "$BIN" show 1
bench "stats (100k, default 90 days)" "$READ" "$FAST" -- "$BIN" stats
# The first report over every incident settles the closed ones (writes the
# stats cache); the later ones read it back. Both are timed.
bench "stats --since 36500d, first run (settles 100k)" "$INS" 3 \
    --prepare "sqlite3 $W/100k.db 'DELETE FROM stats_settled; DELETE FROM stats_months; UPDATE incidents SET settled = NULL'" \
    -- "$BIN" stats --since 36500d
bench "stats --since 36500d (all 100k)" "$READ" "$FAST" -- "$BIN" stats --since 36500d
rm -f "$W/100k-floor.db" "$W/100k-floor.db-wal" "$W/100k-floor.db-shm" # the last write floor timed
peak "peak: stats --since 36500d (100k)" "$BIN" stats --since 36500d

# Size on disk: every page of the 100k file (incidents, roles, indexes) over
# its events, after a checkpoint.
sqlite3 "$W/100k.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
per_event=$(sqlite3 "$W/100k.db" "SELECT (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size) / (SELECT count(*) FROM events);")
events_only=$(sqlite3 "$W/100k.db" "SELECT sum(pgsize) / (SELECT count(*) FROM events) FROM dbstat WHERE name IN ('events', 'events_by_incident');" 2>/dev/null || echo "-")
printf 'bytes per event (whole file)\t%s\t-\t-\t-\t-\nbytes per event (events + index)\t%s\t-\t-\t-\t-\n' "$per_event" "$events_only" >>"$OUT"
printf '%-44s %9s bytes (events and their index alone: %s)\n' "database size per event (100k)" "$per_event" "$events_only"

if [[ $PEER == 1 ]]; then
    export TASKDATA=$W/task TASKRC=$W/taskrc
    mkdir -p "$TASKDATA"
    printf 'data.location=%s\nconfirmation=off\nverbose=nothing\ncolor=off\nhooks=off\n' "$TASKDATA" >"$TASKRC"
    python3 - "$W/tasks.json" <<'EOF'
import json, sys, uuid
with open(sys.argv[1], "w") as f:
    for i in range(10000):
        f.write(json.dumps({"uuid": str(uuid.uuid4()), "status": "pending", "entry": "20260101T000000Z",
            "description": "Elevated 5xx on checkout after deploy %d" % i, "project": "checkout",
            "annotations": [{"entry": "20260101T000100Z",
              "description": "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"}]}) + "\n")
EOF
    task rc.confirmation=off import "$W/tasks.json" >/dev/null 2>&1
    sync # as after seeding: the import's writeback must not slow the timings
    INS="floor: write (own file)" # the peer's floor since the first rounds
    bench "peer: task add (10k tasks)" "$INS" "$SLOW" -- task rc.confirmation=off add "Checkout returns 500s"
    bench "peer: task annotate (10k tasks)" "$INS" "$SLOW" -- task rc.confirmation=off 5000 annotate "Rolled back deploy 482"
    bench "peer: task list (10k tasks)" "$INS" "$SLOW" -- task list
    bench "peer: task info (10k tasks)" "$INS" "$SLOW" -- task 5000 info
fi
echo "results in $OUT" >&2
