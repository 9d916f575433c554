#!/usr/bin/env bash
# The PostgreSQL column of the benchmarks: the same cases as benches/cli.sh
# on the same data sets (1k and 100k incidents), against a local PostgreSQL
# server this script starts (default settings, fsync on, a unix socket),
# with `psql` inserting one equivalent row in a fresh process as the floor,
# and what connecting costs on its own.
#
#   bash benches/postgres.sh            # about 15 minutes on 2 cores
#   bash benches/postgres.sh --quick    # fewer runs
#
# Results: a table on stdout and TSV in $OUT (default
# target/bench/postgres.tsv). Needs PostgreSQL's server programs (initdb,
# pg_ctl, psql; Debian's postgresql package), hyperfine and /usr/bin/time.
# As root the server runs as the `postgres` user.
set -euo pipefail

QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/bench/postgres.tsv}
mkdir -p "$(dirname "$OUT")"

source "$ROOT/benches/lib.sh"

start_postgres
url() { echo "postgres://postgres@/$1?host=$PGDIR"; }
for db in empty k1 k100 floor; do "${PSQL[@]}" -d postgres -c "CREATE DATABASE $db" >/dev/null; done

echo "seeding: 1 incident; 1k and 100k incidents (10 events each); one with 10,000 events …" >&2
seed "$(url empty)" 1 3 --open 1
seed "$(url k1)" 1000 10000
seed "$(url k100)" 100000 1000000
seed "$(url k100)" 1 10000 --open 0 --resolved 0 # INC-100001, closed
LONG=100001
OPEN=99990
"${PSQL[@]}" -d k100 -c "VACUUM ANALYZE" >/dev/null
sync

# The floor: the same event row as the SQLite floor, into an indexed table,
# by psql in a fresh process over the same socket.
"${PSQL[@]}" -d floor -c "CREATE TABLE events (id bigserial PRIMARY KEY, incident_id bigint NOT NULL,
    at text NOT NULL, recorded_at text NOT NULL, author text NOT NULL, kind text NOT NULL,
    text text NOT NULL, details text, prev_hash text, hash text);
  CREATE INDEX events_by_incident ON events (incident_id, at, id);" >/dev/null
FLOOR_SQL="INSERT INTO events (incident_id, at, recorded_at, author, kind, text, details, prev_hash, hash) VALUES (1, '2026-11-23T08:00:00Z', '2026-11-23T08:00:00Z', 'bench', 'note', 'Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency', NULL, '$(printf '0%.0s' {1..64})', '$(printf 'f%.0s' {1..64})');"

echo >&2
printf '%-44s %12s  %7s\n' "case" "median" "ratio to floor"
floor "floor: psql insert" "${PSQL[@]}" -d floor -c "$FLOOR_SQL"
INS="floor: psql insert"
floor "floor: psql connect (SELECT 1)" "${PSQL[@]}" -d floor -c "SELECT 1"
# What connecting costs `incident`: a read of one missing incident.
INCIDENT_DB=$(url empty) bench "incident: connect and one read" "floor: psql connect (SELECT 1)" "$FAST" \
    -i -- "$BIN" show 999

for size in empty k100; do
    export INCIDENT_DB=$(url $size)
    key=$([[ $size == empty ]] && echo 1 || echo $OPEN)
    bench "declare ($size)" "$INS" "$FAST" -- "$BIN" -q declare "Checkout returns 500s" --severity SEV2 --service checkout --force
    bench "update ($size)" "$INS" "$FAST" -- "$BIN" -q update "$key" "Rolled back deploy 482 on checkout-api; error rate falling, watching p99 latency"
    bench "assign-role ($size)" "$INS" "$FAST" --prepare "$BIN -q assign-role $key scribe carol" -- "$BIN" -q assign-role "$key" scribe bob
    bench "resolve ($size)" "$INS" "$FAST" --prepare "$BIN -q update $key --status investigating" -- "$BIN" -q resolve "$key" --summary "Rolled back"
done

for size in k1 k100; do
    export INCIDENT_DB=$(url $size)
    bench "list ($size)" "$INS" "$FAST" -- "$BIN" list
    runs=$([[ $size == k100 ]] && echo "$SLOW" || echo "$FAST")
    bench "list --all --json --limit 0 ($size)" "$INS" "$runs" -- "$BIN" list --all --json --limit 0
done
export INCIDENT_DB=$(url k100)
peak "peak: list --all --json --limit 0 (k100)" "$BIN" list --all --json --limit 0
bench "show, 10,000 events (k100)" "$INS" "$FAST" -- "$BIN" show "$LONG"
bench "show, 10 events (k100)" "$INS" "$FAST" -- "$BIN" show "$OPEN"
bench "check (k100)" "$INS" "$FAST" -i -- "$BIN" check
bench "stats (k100, default 90 days)" "$INS" "$FAST" -- "$BIN" stats
bench "stats --since 36500d (all k100)" "$INS" "$SLOW" -- "$BIN" stats --since 36500d

size=$("${PSQL[@]}" -d k100 -At -c "SELECT pg_database_size('k100') / (SELECT count(*) FROM events)")
printf 'bytes per event (k100 database)\t%s\t-\t-\t-\t-\n' "$size" >>"$OUT"
printf '%-44s %9s bytes\n' "database size per event (k100)" "$size"
echo "results in $OUT" >&2
