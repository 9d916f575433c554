#!/usr/bin/env bash
# `incident search` at 100,000 incidents and 1,000,000 events (seeded by
# the `bench-seed` example, so the index is written by the same primitives
# as every command's), and what the index costs a write: `update` and
# `declare` against the floor benches/cli.sh uses, and with --cost against
# themselves on a copy of the same database whose index does nothing
# (`bench-unindex`: the same binary, SQLite and data, so the two differ by
# the index's writes alone), interleaved, in wall time and CPU time.
#
#   bash benches/search.sh              # search, and the writes with the index
#   bash benches/search.sh --cost       # and the writes without it
#   bash benches/search.sh --postgres   # search on a local PostgreSQL
#                                       # server this script starts
#
# Results: a table on stdout, and the rows as TSV in $OUT (default
# target/bench/search.tsv). Needs hyperfine, sqlite3 and python3 (installs
# them on Debian/Ubuntu as root).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/bench/search.tsv}
QUICK=0
COST=0
PG=0
[[ "${1:-}" == "--cost" ]] && COST=1
[[ "${1:-}" == "--postgres" ]] && PG=1
mkdir -p "$(dirname "$OUT")"
OWN_HOME=$HOME # lib.sh gives the benchmarks a HOME of their own; cargo needs this one
source "$ROOT/benches/lib.sh"
"$BIN" search x >/dev/null 2>&1 || { echo "benches: this binary has no search" >&2; exit 1; }

# The queries: one incident's title (the deploy number), a sixth of them
# (a service in their titles), every incident (a word in all 100,000
# titles), and a phrase in every one of the 1,000,000 timeline entries;
# the broad ones also with every match ranked (--limit 0).
queries() {
    printf '%-52s %12s  %7s\n' "case" "median" "ratio"
    floor "floor: /bin/true" /bin/true
    TRUE="floor: /bin/true"
    bench "search 4821 (1 incident)" "$TRUE" "$FAST" -- "$BIN" search 4821
    bench "search payments deploy (16,667 incidents)" "$TRUE" "$FAST" -- "$BIN" search payments deploy
    bench "search elevated (100,000 incidents)" "$TRUE" "$FAST" -- "$BIN" search elevated
    bench "search '\"error rate falling\"' (1,000,000 entries)" "$TRUE" "$FAST" -- "$BIN" search '"error rate falling"'
    bench "search elevated --service payments --since 30d" "$TRUE" "$FAST" -- "$BIN" search elevated --service payments --since 30d
    bench "search 4821 --json --limit 0" "$TRUE" "$FAST" -- "$BIN" search 4821 --json --limit 0
    bench "search zebra (nothing)" "$TRUE" "$FAST" -- "$BIN" search zebra
    bench "search payments deploy --limit 0 (all ranked)" "$TRUE" "$SLOW" -- "$BIN" search payments deploy --limit 0
    bench "search elevated --limit 0 (all ranked)" "$TRUE" "$SLOW" -- "$BIN" search elevated --limit 0
    bench "search '\"error rate falling\"' --limit 0 (all ranked)" "$TRUE" "$SLOW" -- "$BIN" search '"error rate falling"' --limit 0
}

if [[ $PG == 1 ]]; then
    # A local server as benches/postgres.sh starts it: default settings,
    # fsync on, a unix socket; analysed after seeding, as autovacuum would.
    start_postgres
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE k100" >/dev/null
    export INCIDENT_DB="postgres://postgres@/k100?host=$PGDIR"
    echo "seeding 100,000 incidents and 1,000,000 events on PostgreSQL …" >&2
    started=$(date +%s)
    seed "$INCIDENT_DB" 100000 1000000
    echo "seeded (and indexed) in $(($(date +%s) - started)) s" >&2
    "${PSQL[@]}" -d k100 -c "VACUUM ANALYZE" >/dev/null
    "${PSQL[@]}" -d k100 -At -c "SELECT 'database: ' || pg_database_size('k100') / 1048576 || ' MB, of which the index ' ||
        pg_total_relation_size('search_docs') / 1048576 || ' MB'"
    sync
    queries
    echo "results: $OUT" >&2
    exit 0
fi

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
if [[ $COST == 1 ]]; then
    # A copy whose index does nothing, for the same binary.
    cp "$W/100k.db" "$W/unindexed.db"
    "$(HOME=$OWN_HOME example bench-unindex)" "$W/unindexed.db"
fi
sync

export INCIDENT_DB=$W/100k.db
queries

# The index's cost on a write (100k): the commands themselves, against a
# floor of this script's own (the sqlite3 shell inserting one equivalent
# event row into an indexed WAL database, synchronous=FULL: the floor
# benches/cli.sh used in its first rounds, so the ratios compare with
# those rounds'); with --cost, each also against itself without the index
# below.
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

[[ $COST == 1 ]] || { echo "results: $OUT" >&2; exit 0; }
# cpu NAME: the CPU time (user + system) of the last `bench`'s two
# commands, the mean over its blocks' runs, and their ratio: on a shared
# machine a neighbour stretches wall time far more than CPU time.
cpu() {
    python3 - "$1" "$W"/b[0-9].json <<'PY' | tee -a "$OUT"
import json, sys
name, paths = sys.argv[1], sys.argv[2:]
sums = [[0.0, 0], [0.0, 0]]
for path in paths:
    for k, r in enumerate(json.load(open(path))["results"][:2]):
        n = len(r["times"])
        sums[k][0] += (r["user"] + r["system"]) * n
        sums[k][1] += n
without, with_ = (s / n * 1000 for s, n in sums)
print("%s CPU\t%.2f\t%s (no index) CPU\t%.2f\t%.2f\t-" % (name, with_, name, without, with_ / without))
PY
}
# The index's cost: each write against itself on the copy without the
# index, interleaved (wall time; CPU time below).
floor "update (no index)" env INCIDENT_DB="$W/unindexed.db" "$BIN" -q update "$OPEN" \
    "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"
bench "update (index)" "update (no index)" "$FAST" -- "$BIN" -q update "$OPEN" \
    "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"
cpu "update"
floor "declare (no index)" env INCIDENT_DB="$W/unindexed.db" "$BIN" -q declare \
    "Checkout returns 500s" --severity SEV2 --service checkout --summary "Card payments fail" --force
bench "declare (index)" "declare (no index)" "$FAST" -- "$BIN" -q declare \
    "Checkout returns 500s" --severity SEV2 --service checkout --summary "Card payments fail" --force
cpu "declare"
echo "results: $OUT" >&2
