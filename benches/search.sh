#!/usr/bin/env bash
# `incident search` at 100,000 incidents and 1,000,000 events (seeded by
# the `bench-seed` example, so the index is written by the same primitives
# as every command's), and what the index costs a write: `update` and
# `declare` timed interleaved against the binary of the commit this branch
# started from (built from `git archive` of it, with this branch's SQLite
# flags so the two differ by the index alone), on a copy of the same
# database with the index dropped and the schema version set back one
# step.
#
#   bash benches/search.sh          # search, and the index's statements
#   bash benches/search.sh --base   # and `update`/`declare` against the
#                                   # base commit's binary (builds it)
#
# Results: a table on stdout, and the rows as TSV in $OUT (default
# target/bench/search.tsv). Needs hyperfine, sqlite3, python3 (installs
# them on Debian/Ubuntu as root), and git.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/bench/search.tsv}
QUICK=0
BASE_RUN=0
[[ "${1:-}" == "--base" || -n ${BASE_BIN:-} ]] && BASE_RUN=1
mkdir -p "$(dirname "$OUT")"
source "$ROOT/benches/lib.sh"

# The binary before the index: the commit this branch started from (BASE,
# default: where HEAD left main), unless BASE_BIN names one built already.
if [[ $BASE_RUN == 1 && -z ${BASE_BIN:-} ]]; then
    BASE=${BASE:-$(git -C "$ROOT" merge-base HEAD main)}
    echo "building the binary of ${BASE:0:12} (before the index) …" >&2
    mkdir -p "$W/base"
    git -C "$ROOT" archive "$BASE" | tar -x -C "$W/base"
    # In this checkout's target directory, so only the crate itself is built
    # again; SQLite with this checkout's flags (FTS5 in), so the bundled
    # SQLite is not rebuilt either and the binaries differ by the index alone.
    FLAGS=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["env"]["LIBSQLITE3_FLAGS"])' "$ROOT/.cargo/config.toml")
    (cd "$W/base" && LIBSQLITE3_FLAGS=$FLAGS CARGO_TARGET_DIR=$ROOT/target cargo build --release --quiet --bin incident)
    BASE_BIN=$W/incident-base
    cp "$ROOT/target/release/incident" "$BASE_BIN"
    # The same directory's binary is this checkout's again.
    (cd "$ROOT" && cargo build --release --quiet --bin incident)
fi
[[ $BASE_RUN == 0 ]] || ! "$BASE_BIN" search x >/dev/null 2>&1 || { echo "benches: the base binary has search" >&2; exit 1; }
"$BIN" search x >/dev/null 2>&1 || { echo "benches: this binary has no search" >&2; exit 1; }

echo "seeding 100,000 incidents and 1,000,000 events …" >&2
started=$(date +%s)
seed "$W/100k.db" 100000 1000000
echo "seeded (and indexed) in $(($(date +%s) - started)) s" >&2
OPEN=99990 # one of the 20 open incidents
# What the index takes on disk.
sqlite3 "$W/100k.db" "SELECT 'database: ' || (SELECT sum(pgsize) / 1048576 FROM dbstat) || ' MB, of which the index ' ||
    (SELECT sum(pgsize) / 1048576 FROM dbstat WHERE name LIKE 'search%') || ' MB (search_docs ' ||
    (SELECT sum(pgsize) / 1048576 FROM dbstat WHERE name LIKE 'search_docs%' OR name LIKE 'sqlite_autoindex_search_docs%') || ' MB)'" \
    || echo "(this sqlite3 has no dbstat: sizes not measured)"
if [[ $BASE_RUN == 1 ]]; then
    # A copy without the index, at the step before it, for the base binary.
    cp "$W/100k.db" "$W/base.db"
    version=$(sqlite3 "$W/100k.db" "PRAGMA user_version")
    # Dropped from the schema by hand: a sqlite3 shell older than 3.43 cannot
    # open the contentless-delete FTS5 table to drop it.
    sqlite3 "$W/base.db" "PRAGMA writable_schema = ON; DELETE FROM sqlite_schema WHERE name LIKE 'search\_%' ESCAPE '\\';
        PRAGMA writable_schema = OFF; PRAGMA user_version = $((version - 1));" >/dev/null
    sqlite3 "$W/base.db" "VACUUM;" >/dev/null
    printf 'database: %s MB with the index, %s MB without\n' \
        "$(du -m "$W/100k.db" | cut -f1)" "$(du -m "$W/base.db" | cut -f1)"
fi
sync

export INCIDENT_DB=$W/100k.db
printf '%-52s %12s  %7s\n' "case" "median" "ratio"
floor "floor: /bin/true" /bin/true
TRUE="floor: /bin/true"
# Queries: one incident's title (the deploy number), a sixth of them (a
# service in their titles), every incident (a word in all 100,000 titles),
# and a phrase in every one of the 1,000,000 timeline entries.
bench "search 4821 (1 incident)" "$TRUE" "$FAST" -- "$BIN" search 4821
bench "search payments deploy (16,667 incidents)" "$TRUE" "$FAST" -- "$BIN" search payments deploy
bench "search elevated (100,000 incidents)" "$TRUE" "$SLOW" -- "$BIN" search elevated
bench "search '\"error rate falling\"' (1,000,000 entries)" "$TRUE" "$SLOW" -- "$BIN" search '"error rate falling"'
bench "search 4821 --json --limit 0" "$TRUE" "$FAST" -- "$BIN" search 4821 --json --limit 0
bench "search zebra (nothing)" "$TRUE" "$FAST" -- "$BIN" search zebra

# The index's cost on a write (100k): the commands themselves, against
# the floor benches/cli.sh uses (the sqlite3 shell inserting one
# equivalent event row into an indexed WAL database, synchronous=FULL), so
# the ratios compare with its `update (100k)` and `declare (100k)`; with
# --base, each also against the base binary below.
sqlite3 "$W/floor.db" "PRAGMA journal_mode=WAL;
  CREATE TABLE events (id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL, at TEXT NOT NULL,
    recorded_at TEXT NOT NULL, author TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
    details TEXT, prev_hash TEXT, hash TEXT) STRICT;
  CREATE INDEX events_by_incident ON events (incident_id, at, id);" >/dev/null
FLOOR_SQL="PRAGMA synchronous=FULL; INSERT INTO events (incident_id, at, recorded_at, author, kind, text, details, prev_hash, hash) VALUES (1, '2026-11-23T08:00:00Z', '2026-11-23T08:00:00Z', 'bench', 'note', 'Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency', NULL, '$(printf '0%.0s' {1..64})', '$(printf 'f%.0s' {1..64})');"
floor "floor: sqlite3 insert" sqlite3 "$W/floor.db" "$FLOOR_SQL"
INS="floor: sqlite3 insert"
bench "update (100k, index)" "$INS" "$FAST" -- "$BIN" -q update "$OPEN" \
    "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"
bench "declare (100k, index)" "$INS" "$FAST" -- "$BIN" -q declare \
    "Checkout returns 500s" --severity SEV2 --service checkout --summary "Card payments fail" --force

[[ $BASE_RUN == 1 ]] || { echo "results: $OUT" >&2; exit 0; }
# The index's cost: each case against the base binary on the copy without
# the index, interleaved.
floor "base: update (no index)" env INCIDENT_DB="$W/base.db" "$BASE_BIN" -q update "$OPEN" \
    "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"
bench "update (index)" "base: update (no index)" "$FAST" -- "$BIN" -q update "$OPEN" \
    "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"
floor "base: declare (no index)" env INCIDENT_DB="$W/base.db" "$BASE_BIN" -q declare \
    "Checkout returns 500s" --severity SEV2 --service checkout --summary "Card payments fail"
bench "declare (index)" "base: declare (no index)" "$FAST" -- "$BIN" -q declare \
    "Checkout returns 500s" --severity SEV2 --service checkout --summary "Card payments fail" --force
echo "results: $OUT" >&2
